namespace Facecast.Core
{
    /// <summary>
    /// How a session runs (the contract's SessionConfig, in plain fields): the client turns it into
    /// the first message of the stream. Audio is always sent as mono PCM16 at
    /// <see cref="SampleRateHz"/> (what <see cref="PcmChunker"/> produces).
    /// </summary>
    public sealed class SessionSettings
    {
        /// <summary>Frames per second, 1..60; 0 means the server's default (25).</summary>
        public int Fps = 30;
        /// <summary>Seed of the head motion, blinks and gaze: same seed and audio, same frames.</summary>
        public long Seed;
        /// <summary>Rate of the PCM16 audio sent, 8000..48000 Hz.</summary>
        public int SampleRateHz = 16000;
        /// <summary>Avatar to animate (from CreateAvatar); empty for none.</summary>
        public string AvatarId = "";
        /// <summary>Mouth model by name; empty for the server's default.</summary>
        public string MouthModel = "";
        /// <summary>Seconds of idle life generated at once before any audio (a listening NPC), 0..600.</summary>
        public double IdleS;
        /// <summary>Also ask for rendered frames of the avatar (needs an avatar and a server with the renderer).</summary>
        public bool RenderedFrames;
        /// <summary>Rendered frames' longer side in pixels, 256..1024; 0 means the server's default (512).</summary>
        public int FrameSize;
        /// <summary>What rendered frames show: the whole portrait, or a square crop around the face.</summary>
        public FrameFraming Framing = FrameFraming.Head;
        /// <summary>A conversation: the other party's voice goes as listen audio beside the face's own, both on one
        /// clock (see <see cref="ConversationStreams"/>), and the face speaks, listens and idles in turn.</summary>
        public bool Conversation;
        /// <summary>Initial controls; null for all defaults.</summary>
        public FaceControls Controls;
    }
}
