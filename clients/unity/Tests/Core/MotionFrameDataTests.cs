using System;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class MotionFrameDataTests
    {
        [Test]
        public void DefaultsToTheContractsArraySizes()
        {
            var frame = new MotionFrameData();
            Assert.AreEqual(52, frame.Blendshapes.Length);
            Assert.AreEqual(15, frame.Visemes.Length);
            Assert.AreEqual(4, frame.Gaze.Length);
        }

        [Test]
        public void CopyFromCopiesEveryFieldAndSharesNoArray()
        {
            MotionFrameData source = Frames.Uniform(7, 25, 0.5f);
            var copy = new MotionFrameData();
            copy.CopyFrom(source);
            source.Blendshapes[0] = 0.9f;
            Assert.AreEqual(7, copy.Index);
            Assert.AreEqual(0.28, copy.TimeS, 1e-12);
            Assert.AreEqual(0.5f, copy.HeadPose.RollDeg);
            Assert.AreEqual(0.5f, copy.Blendshapes[0]);
            Assert.AreEqual(0.5f, copy.Gaze[MotionFrameData.GazeRightPitch]);
            Assert.AreEqual(0.5f, copy.VoiceActivity);
        }

        [Test]
        public void SetInterpolatedIsLinearInEveryChannel()
        {
            var frame = new MotionFrameData();
            frame.SetInterpolated(Frames.Uniform(0, 25, 0f), Frames.Uniform(1, 25, 1f), 0.25f);
            Assert.AreEqual(0.25f, frame.Blendshapes[51], 1e-7);
            Assert.AreEqual(0.25f, frame.Visemes[3], 1e-7);
            Assert.AreEqual(0.25f, frame.Gaze[1], 1e-7);
            Assert.AreEqual(0.25f, frame.HeadPose.Z, 1e-7);
            Assert.AreEqual(0.25f, frame.VoiceActivity, 1e-7);
            Assert.AreEqual(0.01, frame.TimeS, 1e-9);
        }

        [Test]
        public void FramesOfDifferentShapesRefuseToMix()
        {
            var small = new MotionFrameData(10, 15);
            Assert.Throws<ArgumentException>(() => small.CopyFrom(new MotionFrameData()));
        }
    }
}
