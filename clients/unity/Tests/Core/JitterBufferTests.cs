using System;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class JitterBufferTests
    {
        private static JitterBuffer WithFrames(int capacity, params float[] values)
        {
            var buffer = new JitterBuffer(capacity);
            for (int i = 0; i < values.Length; i++) Assert.IsTrue(buffer.Add(Frames.Uniform(i, 25, values[i])));
            return buffer;
        }

        [Test]
        public void EmptyBufferSamplesNothing()
        {
            var into = Frames.Uniform(3, 25, 0.7f);
            Assert.IsFalse(new JitterBuffer(4).TrySample(0.1, into));
            Assert.AreEqual(0.7f, into.Blendshapes[0], "an empty sample must leave the frame as it was");
        }

        [Test]
        public void InterpolatesLinearlyBetweenTheFramesAroundTheTime()
        {
            JitterBuffer buffer = WithFrames(8, 0f, 1f, 3f);
            var into = new MotionFrameData();
            Assert.IsTrue(buffer.TrySample(0.01, into));            // a quarter of the way from frame 0 to 1
            Assert.AreEqual(0.25f, into.Blendshapes[17], 1e-6);
            Assert.IsTrue(buffer.TrySample(0.06, into));            // half way from frame 1 (1) to 2 (3)
            Assert.AreEqual(2f, into.HeadPose.YawDeg, 1e-5);
            Assert.AreEqual(0.06, into.TimeS, 1e-12, "a sample carries the time it was taken at");
            Assert.AreEqual(1, into.Index, "a sample carries the index of the frame before it");
        }

        [Test]
        public void SamplingExactlyOnAFrameGivesThatFrame()
        {
            JitterBuffer buffer = WithFrames(8, 0.1f, 0.2f, 0.3f, 0.4f);
            var into = new MotionFrameData();
            buffer.TrySample(0.08, into);
            Assert.AreEqual(0.3f, into.Visemes[0], 1e-7);
        }

        [Test]
        public void HoldsTheFirstFrameBeforeAndTheLastFrameAfter()
        {
            JitterBuffer buffer = WithFrames(8, 0.2f, 0.4f, 0.6f);
            var into = new MotionFrameData();
            buffer.TrySample(-1.0, into);
            Assert.AreEqual(0.2f, into.Blendshapes[0]);
            buffer.TrySample(10.0, into);
            Assert.AreEqual(0.6f, into.Blendshapes[0]);
        }

        [Test]
        public void DropsDuplicatesAndOutOfOrderFrames()
        {
            JitterBuffer buffer = WithFrames(8, 0f, 1f, 2f);
            Assert.IsFalse(buffer.Add(Frames.Uniform(2, 25, 9f)), "a duplicate");
            Assert.IsFalse(buffer.Add(Frames.Uniform(1, 25, 9f)), "an older frame");
            Assert.AreEqual(3, buffer.Count);
            Assert.AreEqual(2, buffer.DroppedOutOfOrder);
            Assert.IsTrue(buffer.Add(Frames.Uniform(5, 25, 5f)), "a gap in the indices is fine");
            var into = new MotionFrameData();
            buffer.TrySample(0.12, into);                           // between index 2 (t 0.08) and 5 (t 0.20)
            Assert.AreEqual(3f, into.Blendshapes[0], 1e-5);
        }

        [Test]
        public void WhenFullTheOldestFrameMakesRoom()
        {
            JitterBuffer buffer = WithFrames(3, 0f, 1f, 2f, 3f, 4f);
            Assert.AreEqual(3, buffer.Count);
            Assert.AreEqual(2, buffer.DroppedOverflow);
            Assert.AreEqual(0.08, buffer.FirstTimeS, 1e-12);
            Assert.AreEqual(0.16, buffer.LastTimeS, 1e-12);
            var into = new MotionFrameData();
            buffer.TrySample(0.14, into);                           // wraps around the ring
            Assert.AreEqual(3.5f, into.Blendshapes[0], 1e-5);
        }

        [Test]
        public void DiscardBeforeKeepsTheFrameAtOrBeforeTheTime()
        {
            JitterBuffer buffer = WithFrames(8, 0f, 1f, 2f, 3f);
            buffer.DiscardBefore(0.09);
            Assert.AreEqual(2, buffer.Count);
            Assert.AreEqual(0.08, buffer.FirstTimeS, 1e-12);
            var into = new MotionFrameData();
            buffer.TrySample(0.10, into);
            Assert.AreEqual(2.5f, into.Blendshapes[0], 1e-5);
            buffer.DiscardBefore(100);
            Assert.AreEqual(1, buffer.Count, "the last frame stays, to hold");
        }

        [Test]
        public void ClearStartsANewStreamFromIndexZero()
        {
            JitterBuffer buffer = WithFrames(8, 0f, 1f);
            buffer.Clear();
            Assert.AreEqual(0, buffer.Count);
            Assert.IsTrue(buffer.Add(Frames.Uniform(0, 25, 0f)));
        }

        [Test]
        public void SamplingAllocatesNothing()
        {
            var buffer = new JitterBuffer(64);
            for (int i = 0; i < 64; i++) buffer.Add(Frames.Uniform(i, 25, i));
            var into = new MotionFrameData();
            buffer.TrySample(0.5, into);                            // warm up (JIT)
            long before = GC.GetTotalMemory(false);
            for (int i = 0; i < 10000; i++) buffer.TrySample(i * 0.000253, into);
            long after = GC.GetTotalMemory(false);
            Assert.Less(after - before, 4096, "TrySample must not allocate");
        }

        [Test]
        public void RefusesACapacityTooSmallToInterpolate()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new JitterBuffer(1));
        }
    }
}
