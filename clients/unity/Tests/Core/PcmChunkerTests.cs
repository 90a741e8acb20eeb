using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class PcmChunkerTests
    {
        private sealed class Collector
        {
            public readonly List<int> ChunkBytes = new List<int>();
            public readonly List<byte> Bytes = new List<byte>();

            public void OnChunk(byte[] buffer, int count)
            {
                ChunkBytes.Add(count);
                for (int i = 0; i < count; i++) Bytes.Add(buffer[i]);
            }

            public short[] Samples()
            {
                var samples = new short[Bytes.Count / 2];
                for (int i = 0; i < samples.Length; i++) samples[i] = (short)(Bytes[2 * i] | (Bytes[2 * i + 1] << 8));
                return samples;
            }
        }

        private static float[] Ramp(int count, float step)
        {
            var samples = new float[count];
            for (int i = 0; i < count; i++) samples[i] = (i * step) % 1.5f - 0.75f;
            return samples;
        }

        [Test]
        public void SameRateMonoIsPcm16LittleEndianIn20MsChunks()
        {
            var collector = new Collector();
            var chunker = new PcmChunker(16000, 1, 16000, 20, collector.OnChunk);
            Assert.AreEqual(320, chunker.SamplesPerChunk);
            var input = new float[700];
            input[0] = 0.5f;
            input[1] = -1f;
            input[2] = 1f;
            input[3] = 2f;
            chunker.Push(input, 0, input.Length);
            chunker.Flush();
            CollectionAssert.AreEqual(new[] { 640, 640, 120 }, collector.ChunkBytes);
            CollectionAssert.AreEqual(new byte[] { 0x00, 0x40, 0x00, 0x80, 0xFF, 0x7F, 0xFF, 0x7F }, collector.Bytes.GetRange(0, 8));
        }

        [TestCase(0f, (short)0)]
        [TestCase(0.5f, (short)16384)]
        [TestCase(-1f, (short)-32768)]
        [TestCase(1f, (short)32767)]
        [TestCase(-3f, (short)-32768)]
        [TestCase(float.NaN, (short)0)]
        public void SamplesConvertLikeTheServersEncoder(float sample, short expected)
        {
            Assert.AreEqual(expected, PcmChunker.ToPcm16(sample));
        }

        [Test]
        public void DownsamplingInterpolatesLinearlyAtExactPositions()
        {
            // A ramp stays a ramp under linear interpolation: output k sits at source position k·44100/16000.
            var collector = new Collector();
            var chunker = new PcmChunker(44100, 1, 16000, 20, collector.OnChunk);
            var input = new float[4410];
            for (int i = 0; i < input.Length; i++) input[i] = i / 8192f;
            input = Array.ConvertAll(input, v => v * 0.1f);
            chunker.Push(input, 0, input.Length);
            chunker.Flush();
            short[] output = collector.Samples();
            Assert.AreEqual((4410 - 1) * 16000 / 44100 + 1, output.Length);
            for (int k = 0; k < output.Length; k++)
            {
                double position = k * 44100.0 / 16000.0;
                Assert.AreEqual(Math.Round(position / 8192.0 * 0.1 * 32768), output[k], 1.0, "sample {0}", k);
            }
        }

        [Test]
        public void TheOutputDoesNotDependOnHowTheInputIsCut()
        {
            float[] input = Ramp(48000, 0.0137f);
            var whole = new Collector();
            var chunker = new PcmChunker(48000, 1, 22050, 20, whole.OnChunk);
            chunker.Push(input, 0, input.Length);
            chunker.Flush();

            var pieces = new Collector();
            chunker = new PcmChunker(48000, 1, 22050, 20, pieces.OnChunk);
            var random = new Random(7);
            int offset = 0;
            while (offset < input.Length)
            {
                int count = Math.Min(random.Next(1, 1500), input.Length - offset);
                chunker.Push(input, offset, count);
                offset += count;
            }
            chunker.Flush();
            CollectionAssert.AreEqual(whole.Bytes, pieces.Bytes);
            CollectionAssert.AreEqual(whole.ChunkBytes, pieces.ChunkBytes);
        }

        [Test]
        public void UpsamplingFillsBetweenSamples()
        {
            var collector = new Collector();
            var chunker = new PcmChunker(8000, 1, 16000, 20, collector.OnChunk);
            chunker.Push(new[] { 0f, 0.5f, 0f }, 0, 3);
            chunker.Flush();
            CollectionAssert.AreEqual(new short[] { 0, 8192, 16384, 8192, 0 }, collector.Samples());
        }

        [Test]
        public void StereoIsAveragedToMono()
        {
            var collector = new Collector();
            var chunker = new PcmChunker(16000, 2, 16000, 20, collector.OnChunk);
            chunker.Push(new[] { 0.5f, -0.5f, 0.5f, 0.25f, 1f, 1f }, 0, 3);
            chunker.Flush();
            CollectionAssert.AreEqual(new short[] { 0, 12288, 32767 }, collector.Samples());
        }

        [Test]
        public void ResetStartsANewStream()
        {
            var collector = new Collector();
            var chunker = new PcmChunker(16000, 1, 16000, 20, collector.OnChunk);
            chunker.Push(new[] { 0.5f, 0.5f }, 0, 2);
            chunker.Reset();
            Assert.AreEqual(0, chunker.SamplesOut);
            chunker.Push(new[] { 0.25f }, 0, 1);
            chunker.Flush();
            CollectionAssert.AreEqual(new short[] { 8192 }, collector.Samples());
        }

        [Test]
        public void PushingAllocatesNothing()
        {
            int chunks = 0;
            var chunker = new PcmChunker(48000, 2, 16000, 20, (buffer, count) => chunks++);
            var input = new float[960 * 2];
            chunker.Push(input, 0, 960);
            long before = GC.GetTotalMemory(false);
            for (int i = 0; i < 500; i++) chunker.Push(input, 0, 960);
            Assert.Less(GC.GetTotalMemory(false) - before, 4096);
            Assert.AreEqual(501, chunks);
        }

        [Test]
        public void BadArgumentsAreRefused()
        {
            Action<byte[], int> ignore = (buffer, count) => { };
            Assert.Throws<ArgumentOutOfRangeException>(() => new PcmChunker(0, 1, 16000, 20, ignore));
            Assert.Throws<ArgumentOutOfRangeException>(() => new PcmChunker(16000, 0, 16000, 20, ignore));
            Assert.Throws<ArgumentOutOfRangeException>(() => new PcmChunker(16000, 1, 96000, 20, ignore));
            Assert.Throws<ArgumentOutOfRangeException>(() => new PcmChunker(16000, 1, 16000, 0, ignore));
            Assert.Throws<ArgumentNullException>(() => new PcmChunker(16000, 1, 16000, 20, null));
            var chunker = new PcmChunker(16000, 2, 16000, 20, ignore);
            Assert.Throws<ArgumentOutOfRangeException>(() => chunker.Push(new float[10], 0, 6));
        }
    }
}
