using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class MotionClipReaderTests
    {
        private static string Names(string[] names)
        {
            return "[\"" + string.Join("\",\"", names) + "\"]";
        }

        private static string Zeros(int count)
        {
            var zeros = new string[count];
            for (int i = 0; i < count; i++) zeros[i] = "0";
            return "[" + string.Join(",", zeros) + "]";
        }

        private static string Frame(double t, string blendshapes = null)
        {
            return "{\"t\":" + t.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                   ",\"pose\":{\"pitch\":1.5,\"yaw\":-2,\"roll\":0.25,\"x\":0.01,\"y\":0,\"z\":0}," +
                   "\"blendshapes\":" + (blendshapes ?? Zeros(52)) + ",\"visemes\":" + Zeros(15) +
                   ",\"gaze\":[1,2,3,4],\"voice_activity\":0.5}";
        }

        private static string Clip(string frames, string format = "facecast.motion", int version = 1)
        {
            return "{\"format\":\"" + format + "\",\"version\":" + version + ",\"fps\":25,\"duration_s\":0.08," +
                   "\"blendshape_names\":" + Names(ArkitNames.Blendshapes) + ",\"viseme_names\":" + Names(ArkitNames.Visemes) +
                   ",\"seed\":3,\"model_versions\":[{\"component\":\"mouth\",\"name\":\"baseline-dsp\",\"version\":\"1\"}]," +
                   "\"generator\":\"facecast 0.1.0\",\"frames\":[" + frames + "]}";
        }

        [Test]
        public void ReadsTheHeaderAndEveryFrame()
        {
            MotionClip clip = MotionClipReader.Read(Clip(Frame(0) + "," + Frame(0.04)));
            Assert.AreEqual(25, clip.Fps);
            Assert.AreEqual(0.08, clip.DurationS);
            Assert.AreEqual(3, clip.Seed);
            Assert.AreEqual("jawOpen", clip.BlendshapeNames[17]);
            Assert.AreEqual("ou", clip.VisemeNames[14]);
            Assert.AreEqual("mouth: baseline-dsp 1", clip.ModelVersions[0].ToString());
            Assert.AreEqual(2, clip.Frames.Count);
            MotionFrameData second = clip.Frames[1];
            Assert.AreEqual(1, second.Index);
            Assert.AreEqual(0.04, second.TimeS);
            Assert.AreEqual(1.5f, second.HeadPose.PitchDeg);
            Assert.AreEqual(-2f, second.HeadPose.YawDeg);
            Assert.AreEqual(4f, second.Gaze[MotionFrameData.GazeRightPitch]);
            Assert.AreEqual(0.5f, second.VoiceActivity);
        }

        [Test]
        public void RefusesAnotherFormatOrVersion()
        {
            StringAssert.Contains("not a motion clip", Assert.Throws<JsonParseException>(() => MotionClipReader.Read(Clip(Frame(0), "other"))).Message);
            StringAssert.Contains("version 2 is not supported", Assert.Throws<JsonParseException>(() => MotionClipReader.Read(Clip(Frame(0), version: 2))).Message);
        }

        [Test]
        public void NamesTheFrameAndFieldThatIsWrong()
        {
            var error = Assert.Throws<JsonParseException>(() => MotionClipReader.Read(Clip(Frame(0) + "," + Frame(0.04, Zeros(51)))));
            StringAssert.Contains("frame 1", error.Message);
            StringAssert.Contains("\"blendshapes\"", error.Message);
            StringAssert.Contains("expected 52 numbers, found 51", error.Message);
        }

        [Test]
        public void RefusesTimesThatDoNotIncrease()
        {
            StringAssert.Contains("does not increase", Assert.Throws<JsonParseException>(() => MotionClipReader.Read(Clip(Frame(0.04) + "," + Frame(0.04)))).Message);
        }

        [Test]
        public void ReadsAClipThatFacecastBakeWrote()
        {
            MotionClip clip = MotionClipReader.ReadFile(ContractFiles.Path("clip_hello.json"));
            Assert.AreEqual(25, clip.Fps);
            CollectionAssert.AreEqual(ArkitNames.Blendshapes, clip.BlendshapeNames);
            CollectionAssert.AreEqual(ArkitNames.Visemes, clip.VisemeNames);
            StringAssert.StartsWith("facecast ", clip.Generator);
            Assert.GreaterOrEqual(clip.Frames.Count, (int)(clip.DurationS * clip.Fps) - 1);
            Assert.Greater(clip.Frames.Count, 10);
            float widestJaw = 0;
            var times = new List<double>();
            foreach (MotionFrameData frame in clip.Frames)
            {
                widestJaw = System.Math.Max(widestJaw, frame.Blendshapes[17]);
                times.Add(frame.TimeS);
                float visemeSum = 0;
                foreach (float v in frame.Visemes) visemeSum += v;
                Assert.AreEqual(1f, visemeSum, 1e-3, "visemes sum to 1");
            }
            Assert.Greater(widestJaw, 0.2f, "the jaw opens while speaking");
            Assert.AreEqual(1.0 / 25, times[1] - times[0], 1e-9);
        }
    }
}
