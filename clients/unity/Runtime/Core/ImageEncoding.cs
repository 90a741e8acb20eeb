namespace Facecast.Core
{
    /// <summary>How a <see cref="RenderedImage"/>'s bytes encode it (the contract's ImageEncoding).</summary>
    public enum ImageEncoding
    {
        Unspecified = 0,
        Jpeg = 1,
        Png = 2,
        /// <summary>8-bit RGBA, rows top to bottom, width × height × 4 bytes.</summary>
        Rgba = 3,
    }
}
