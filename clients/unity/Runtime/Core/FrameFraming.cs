namespace Facecast.Core
{
    /// <summary>What a rendered frame shows (the contract's Framing).</summary>
    public enum FrameFraming
    {
        /// <summary>The whole portrait, its aspect kept, its longer side the frame size.</summary>
        Portrait = 1,
        /// <summary>A square crop centred on the face, the face filling about 60 % of it.</summary>
        Face = 2,
        /// <summary>A square crop of head and shoulders, the face filling about 42 % of it (the default).</summary>
        Head = 3,
    }
}
