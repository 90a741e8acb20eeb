using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    /// <summary>
    /// VrmExpressionMapper against the Python runtime's own tables and results
    /// (tests/contract/vrm_expressions.json, written by tests/contract/make_vrm_vectors.py from
    /// runtime/rigs/vrm.py): the same rows in the same order, the same weights for every case.
    /// </summary>
    [TestFixture]
    public class VrmExpressionMapperTests
    {
        private const string VectorFile = "vrm_expressions.json";
        // Both sides compute in double from the same float32 inputs in the same order: equal to the
        // last bit in practice; the margin only forgives a different rounding of the division.
        private const double Tolerance = 1e-12;

        private static JsonValue Vectors()
        {
            JsonValue root = ContractFiles.Read(ContractFiles.Path(VectorFile));
            Assert.AreEqual("facecast.vrm-expressions", root["format"].AsString());
            return root;
        }

        private static FaceEmotion Emotion(string name)
        {
            return (FaceEmotion)Enum.Parse(typeof(FaceEmotion), name, true);
        }

        private static void AssertRows(JsonValue expected, VrmShare[] actual, string sourceKey, Func<string, string> source)
        {
            Assert.AreEqual(expected.Count, actual.Length, "rows");
            for (int i = 0; i < actual.Length; i++)
            {
                JsonValue row = expected[i];
                Assert.AreEqual(row["preset"].AsString(), actual[i].Preset, "row {0}", i);
                Assert.AreEqual(source(row[sourceKey].AsString()), actual[i].Source, "row {0}", i);
                Assert.AreEqual(row["share"].AsNumber(), actual[i].Share, 0.0, "row {0}", i);
            }
        }

        [Test]
        public void TheTablesAreThePythonRuntimes()
        {
            JsonValue root = Vectors();
            CollectionAssert.AreEqual(root["presets"].AsStringArray(), VrmExpressionMapper.Presets);
            Assert.AreEqual(root["full_look_deg"].AsNumber(), VrmExpressionMapper.FullLookDeg, 0.0);
            AssertRows(root["vowel_sources"], VrmExpressionMapper.VowelSources, "viseme", name => name);
            AssertRows(root["emotion_sources"], VrmExpressionMapper.EmotionSources, "emotion", name => Emotion(name).ToString());
            CollectionAssert.AreEqual(ArkitNames.Blendshapes, root["blendshape_names"].AsStringArray());
            CollectionAssert.AreEqual(ArkitNames.Visemes, root["viseme_names"].AsStringArray());
        }

        [Test]
        public void EveryCaseGivesThePythonRuntimesWeights()
        {
            JsonValue root = Vectors();
            var mapper = new VrmExpressionMapper(root["blendshape_names"].AsStringArray(), root["viseme_names"].AsStringArray());
            var frame = new MotionFrameData();
            var weights = new double[VrmExpressionMapper.PresetCount];
            JsonValue cases = root["cases"];
            Assert.Greater(cases.Count, 50);
            for (int c = 0; c < cases.Count; c++)
            {
                JsonValue item = cases[c];
                item["blendshapes"].ReadFloats(frame.Blendshapes);
                item["visemes"].ReadFloats(frame.Visemes);
                item["gaze"].ReadFloats(frame.Gaze);
                mapper.Map(frame, Emotion(item["emotion"].AsString()), item["intensity"].AsNumber(), weights);
                JsonValue expected = item["expected"];
                for (int p = 0; p < weights.Length; p++)
                {
                    Assert.AreEqual(expected[p].AsNumber(), weights[p], Tolerance, "{0}: {1}", item["name"].AsString(),
                                    VrmExpressionMapper.Presets[p]);
                }
            }
        }

        [Test]
        public void NamesAreBoundFromTheHeaderNotFromPositions()
        {
            // The header may list the shapes in any order: the mapper follows the names.
            var blendshapes = new List<string>(ArkitNames.Blendshapes);
            blendshapes.Reverse();
            var visemes = new List<string>(ArkitNames.Visemes);
            visemes.Reverse();
            var mapper = new VrmExpressionMapper(blendshapes, visemes);
            var frame = new MotionFrameData();
            frame.Blendshapes[blendshapes.IndexOf("eyeBlinkLeft")] = 0.75f;
            frame.Blendshapes[blendshapes.IndexOf("eyeBlinkRight")] = 0.25f;
            frame.Visemes[visemes.IndexOf("CH")] = 1f;
            var weights = new float[VrmExpressionMapper.PresetCount];
            mapper.Map(frame, FaceEmotion.Neutral, 1.0, weights);
            Assert.AreEqual(0.25f, weights[VrmExpressionMapper.IndexOf("blink")]);
            Assert.AreEqual(0.5f, weights[VrmExpressionMapper.IndexOf("blinkLeft")]);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("blinkRight")]);
            Assert.AreEqual(0.5f, weights[VrmExpressionMapper.IndexOf("ou")]);
        }

        [Test]
        public void LooksFollowTheAvatarsOwnLeftAndClampAtOne()
        {
            var mapper = new VrmExpressionMapper();
            var frame = new MotionFrameData();
            frame.Gaze[MotionFrameData.GazeLeftYaw] = 45f;   // the contract's yaw > 0: the subject's own left
            frame.Gaze[MotionFrameData.GazeRightYaw] = 45f;
            frame.Gaze[MotionFrameData.GazeLeftPitch] = -15f; // pitch < 0: up
            frame.Gaze[MotionFrameData.GazeRightPitch] = -15f;
            var weights = new float[VrmExpressionMapper.PresetCount];
            mapper.Map(frame, FaceEmotion.Unchanged, 1.0, weights);
            Assert.AreEqual(1f, weights[VrmExpressionMapper.IndexOf("lookLeft")]);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("lookRight")]);
            Assert.AreEqual(0.5f, weights[VrmExpressionMapper.IndexOf("lookUp")]);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("lookDown")]);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("happy")], "Unchanged counts as neutral");
        }

        [Test]
        public void AHeaderWithoutTheNeededNamesGivesZerosNotErrors()
        {
            var mapper = new VrmExpressionMapper(new[] { "jawOpen" }, new[] { "sil" });
            var frame = new MotionFrameData(1, 1);
            frame.Visemes[0] = 1f;
            var weights = new float[VrmExpressionMapper.PresetCount];
            mapper.Map(frame, FaceEmotion.Happy, 0.5, weights);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("aa")]);
            Assert.AreEqual(0f, weights[VrmExpressionMapper.IndexOf("blink")]);
            Assert.AreEqual(0.5f, weights[VrmExpressionMapper.IndexOf("happy")]);
        }

        [Test]
        public void TooShortAWeightsArrayIsRefused()
        {
            var mapper = new VrmExpressionMapper();
            Assert.Throws<ArgumentException>(() => mapper.Map(new MotionFrameData(), FaceEmotion.Neutral, 1.0, new float[3]));
        }
    }
}
