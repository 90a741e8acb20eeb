namespace Facecast.Core
{
    /// <summary>One rendered frame of the avatar, as received (the contract's RenderedFrame).</summary>
    public sealed class RenderedImage
    {
        public RenderedImage(long index, double timeS, ImageEncoding encoding, int width, int height, byte[] data)
        {
            Index = index;
            TimeS = timeS;
            Encoding = encoding;
            Width = width;
            Height = height;
            Data = data;
        }

        public long Index { get; private set; }
        /// <summary>Audio-clock time, seconds: that of the MotionFrame with the same index.</summary>
        public double TimeS { get; private set; }
        public ImageEncoding Encoding { get; private set; }
        public int Width { get; private set; }
        public int Height { get; private set; }
        public byte[] Data { get; private set; }
    }
}
