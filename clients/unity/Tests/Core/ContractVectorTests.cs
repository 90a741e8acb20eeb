using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    /// <summary>
    /// Plays the golden streams of the real server (tests/contract/stream_*.json) through the client's
    /// own path — frames into a JitterBuffer, sampled at audio times, head poses converted to Unity,
    /// header names mapped onto rig names — and checks what a rig would get against expectations the
    /// vectors carry, which Python computed independently (numpy interpolation, scipy rotations).
    /// </summary>
    [TestFixture]
    public class ContractVectorTests
    {
        private const double Tolerance = 1e-4;

        private sealed class Stream
        {
            public string Name;
            public JsonValue Root;
            public JitterBuffer Buffer;
            public float FaceWidthM;
        }

        private static IEnumerable<Stream> Streams()
        {
            foreach (string path in ContractFiles.Streams())
            {
                JsonValue root = ContractFiles.Read(path);
                Assert.AreEqual("facecast.contract-vector", root["format"].AsString());
                int blendshapes = root["blendshape_names"].Count;
                int visemes = root["viseme_names"].Count;
                List<MotionFrameData> frames = MotionClipReader.ReadFrames(root["frames"], blendshapes, visemes);
                var buffer = new JitterBuffer(frames.Count + 1, blendshapes, visemes);
                foreach (MotionFrameData frame in frames) Assert.IsTrue(buffer.Add(frame));
                yield return new Stream
                {
                    Name = Path.GetFileName(path), Root = root, Buffer = buffer, FaceWidthM = root["face_width_m"].AsFloat(),
                };
            }
        }

        private static void AssertClose(JsonValue expected, float[] actual, string what)
        {
            Assert.AreEqual(expected.Count, actual.Length, what);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.AreEqual(expected[i].AsNumber(), actual[i], Tolerance, "{0}[{1}]", what, i);
            }
        }

        private static void AssertAngle(double expected, double actual, string what)
        {
            double difference = Math.Abs(((actual - expected) % 360 + 540) % 360 - 180);
            Assert.Less(difference, Tolerance, "{0}: expected {1}, got {2}", what, expected, actual);
        }

        [Test]
        public void TheStreamsFitTheirHeaders()
        {
            foreach (Stream stream in Streams())
            {
                CollectionAssert.AreEqual(ArkitNames.Blendshapes, stream.Root["blendshape_names"].AsStringArray(), stream.Name);
                CollectionAssert.AreEqual(ArkitNames.Visemes, stream.Root["viseme_names"].AsStringArray(), stream.Name);
                Assert.AreEqual(stream.Root["frames"].Count, stream.Buffer.Count, stream.Name);
                Assert.AreEqual(0.0, stream.Buffer.FirstTimeS, 1e-12, stream.Name);
            }
        }

        [Test]
        public void ProbesGiveTheInterpolatedWeightsGazeAndPose()
        {
            var sample = new MotionFrameData();
            foreach (Stream stream in Streams())
            {
                JsonValue probes = stream.Root["probes"];
                for (int p = 0; p < probes.Count; p++)
                {
                    JsonValue probe = probes[p];
                    double time = probe["audio_time_s"].AsNumber();
                    string where = string.Format("{0} at {1} s", stream.Name, time);
                    Assert.IsTrue(stream.Buffer.TrySample(time, sample), where);
                    AssertClose(probe["blendshapes"], sample.Blendshapes, where + " blendshapes");
                    AssertClose(probe["visemes"], sample.Visemes, where + " visemes");
                    AssertClose(probe["gaze"], sample.Gaze, where + " gaze");
                    Assert.AreEqual(probe["voice_activity"].AsNumber(), sample.VoiceActivity, Tolerance, where);
                    JsonValue pose = probe["pose"];
                    Assert.AreEqual(pose["pitch"].AsNumber(), sample.HeadPose.PitchDeg, Tolerance, where + " pitch");
                    Assert.AreEqual(pose["yaw"].AsNumber(), sample.HeadPose.YawDeg, Tolerance, where + " yaw");
                    Assert.AreEqual(pose["roll"].AsNumber(), sample.HeadPose.RollDeg, Tolerance, where + " roll");
                    Assert.AreEqual(pose["x"].AsNumber(), sample.HeadPose.X, Tolerance, where + " x");
                    Assert.AreEqual(pose["y"].AsNumber(), sample.HeadPose.Y, Tolerance, where + " y");
                    Assert.AreEqual(pose["z"].AsNumber(), sample.HeadPose.Z, Tolerance, where + " z");
                }
            }
        }

        [TestCase(HeadSpace.CameraFacing, "unity_camera")]
        [TestCase(HeadSpace.CharacterForward, "unity_character")]
        public void ProbesGiveTheUnityHeadPose(HeadSpace space, string key)
        {
            var sample = new MotionFrameData();
            foreach (Stream stream in Streams())
            {
                JsonValue probes = stream.Root["probes"];
                for (int p = 0; p < probes.Count; p++)
                {
                    double time = probes[p]["audio_time_s"].AsNumber();
                    string where = string.Format("{0} at {1} s, {2}", stream.Name, time, space);
                    stream.Buffer.TrySample(time, sample);
                    EnginePose converted = HeadPoseConverter.Convert(sample.HeadPose, space, stream.FaceWidthM);
                    JsonValue euler = probes[p][key]["euler"];
                    AssertAngle(euler[0].AsNumber(), converted.EulerX, where + " euler x");
                    AssertAngle(euler[1].AsNumber(), converted.EulerY, where + " euler y");
                    AssertAngle(euler[2].AsNumber(), converted.EulerZ, where + " euler z");
                    JsonValue position = probes[p][key]["position"];
                    Assert.AreEqual(position[0].AsNumber(), converted.PositionX, Tolerance, where + " position x");
                    Assert.AreEqual(position[1].AsNumber(), converted.PositionY, Tolerance, where + " position y");
                    Assert.AreEqual(position[2].AsNumber(), converted.PositionZ, Tolerance, where + " position z");
                }
            }
        }

        [Test]
        public void LargePosesGiveTheUnityEulerAngles()
        {
            foreach (Stream stream in Streams())
            {
                JsonValue cases = stream.Root["pose_cases"];
                for (int c = 0; c < cases.Count; c++)
                {
                    JsonValue pose = cases[c]["pose"];
                    var data = new HeadPoseData(pose["pitch"].AsFloat(), pose["yaw"].AsFloat(), pose["roll"].AsFloat(), 0, 0, 0);
                    foreach (HeadSpace space in new[] { HeadSpace.CameraFacing, HeadSpace.CharacterForward })
                    {
                        string key = space == HeadSpace.CameraFacing ? "unity_camera_euler" : "unity_character_euler";
                        string where = string.Format("{0} pose {1}/{2}/{3} {4}", stream.Name, data.PitchDeg, data.YawDeg, data.RollDeg, space);
                        EnginePose converted = HeadPoseConverter.Convert(data, space, 1f);
                        JsonValue euler = cases[c][key];
                        AssertAngle(euler[0].AsNumber(), converted.EulerX, where + " x");
                        AssertAngle(euler[1].AsNumber(), converted.EulerY, where + " y");
                        AssertAngle(euler[2].AsNumber(), converted.EulerZ, where + " z");
                    }
                }
            }
        }

        [TestCase("camelCase")]
        [TestCase("PascalCase")]
        [TestCase("side_suffix")]
        [TestCase("exporter_prefix")]
        public void HeaderNamesMapOntoRigNames(string spelling)
        {
            foreach (Stream stream in Streams())
            {
                string[] streamNames = stream.Root["blendshape_names"].AsStringArray();
                JsonValue mapping = stream.Root["name_mapping"][spelling];
                string[] meshNames = mapping["mesh_names"].AsStringArray();
                var mapper = new BlendshapeMapper(streamNames, meshNames);
                int unmatched = 0;
                for (int mesh = 0; mesh < meshNames.Length; mesh++)
                {
                    long expected = mapping["stream_index"][mesh].AsInteger();
                    Assert.AreEqual(expected, mapper.StreamIndexForMesh(mesh), "{0} {1}: {2}", stream.Name, spelling, meshNames[mesh]);
                    if (expected < 0) unmatched++;
                }
                Assert.AreEqual(unmatched, mapper.UnmatchedMeshNames.Count);
                Assert.AreEqual(0, mapper.UnmatchedStreamNames.Count, "every stream name finds its shape");

                // The weights land where the rig expects them: sample the stream and apply.
                var sample = new MotionFrameData(streamNames.Length, stream.Root["viseme_names"].Count);
                stream.Buffer.TrySample(0.3, sample);
                var sink = new ArraySink(meshNames.Length);
                mapper.Apply(sample.Blendshapes, sink);
                for (int mesh = 0; mesh < meshNames.Length; mesh++)
                {
                    int source = mapper.StreamIndexForMesh(mesh);
                    if (source >= 0) Assert.AreEqual(sample.Blendshapes[source] * 100f, sink.Weights[mesh], 1e-3);
                    else Assert.IsNaN(sink.Weights[mesh]);
                }
            }
        }
    }
}
