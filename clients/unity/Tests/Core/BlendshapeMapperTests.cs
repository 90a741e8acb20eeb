using System.Linq;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class BlendshapeMapperTests
    {
        private static readonly string[] Stream = { "eyeBlinkLeft", "eyeBlinkRight", "jawOpen", "tongueOut" };

        [Test]
        public void MapsAcrossSpellingsAndScalesToUnitysRange()
        {
            string[] mesh = { "JawOpen", "eyeBlink_R", "blendShape1.eyeBlink_L", "browInnerUp" };
            var mapper = new BlendshapeMapper(Stream, mesh);
            var sink = new ArraySink(mesh.Length);
            mapper.Apply(new[] { 0.1f, 0.2f, 0.5f, 0.9f }, sink);
            Assert.AreEqual(50f, sink.Weights[0], 1e-4);
            Assert.AreEqual(20f, sink.Weights[1], 1e-4);
            Assert.AreEqual(10f, sink.Weights[2], 1e-4);
            Assert.IsNaN(sink.Weights[3], "a shape the stream does not drive is left alone");
            Assert.AreEqual(3, sink.Writes);
        }

        [Test]
        public void ReportsUnmatchedNamesOnBothSides()
        {
            var mapper = new BlendshapeMapper(Stream, new[] { "jawOpen", "Tongue", "eyeBlinkLeft" });
            CollectionAssert.AreEqual(new[] { "eyeBlinkRight", "tongueOut" }, mapper.UnmatchedStreamNames.ToArray());
            CollectionAssert.AreEqual(new[] { "Tongue" }, mapper.UnmatchedMeshNames.ToArray());
            Assert.AreEqual(2, mapper.MatchedCount);
            Assert.AreEqual(-1, mapper.StreamIndexForMesh(1));
            Assert.AreEqual(0, mapper.StreamIndexForMesh(2));
        }

        [Test]
        public void TheMultiplierIsConfigurable()
        {
            var mapper = new BlendshapeMapper(Stream, new[] { "jawOpen" }, 1f);
            var sink = new ArraySink(1);
            mapper.Apply(new[] { 0f, 0f, 0.25f, 0f }, sink);
            Assert.AreEqual(0.25f, sink.Weights[0], 1e-7);
            mapper.Multiplier = 200f;
            mapper.Apply(new[] { 0f, 0f, 0.25f, 0f }, sink);
            Assert.AreEqual(50f, sink.Weights[0], 1e-4);
        }

        [Test]
        public void OneStreamWeightMayDriveDuplicateShapes()
        {
            var mapper = new BlendshapeMapper(Stream, new[] { "jawOpen", "JawOpen" });
            var sink = new ArraySink(2);
            mapper.Apply(new[] { 0f, 0f, 0.3f, 0f }, sink);
            Assert.AreEqual(30f, sink.Weights[0], 1e-4);
            Assert.AreEqual(30f, sink.Weights[1], 1e-4);
        }

        [Test]
        public void APrefixSelectsVisemeShapesByTheirOwnNames()
        {
            string[] mesh = { "viseme_sil", "viseme_aa", "jawOpen", "VISEME_E", "viseme_xx" };
            var mapper = new BlendshapeMapper(ArkitNames.Visemes, mesh, 100f, "viseme_");
            Assert.AreEqual(0, mapper.StreamIndexForMesh(0));
            Assert.AreEqual(10, mapper.StreamIndexForMesh(1));
            Assert.AreEqual(-1, mapper.StreamIndexForMesh(2), "shapes without the prefix take no part");
            Assert.AreEqual(11, mapper.StreamIndexForMesh(3));
            CollectionAssert.AreEqual(new[] { "viseme_xx" }, mapper.UnmatchedMeshNames.ToArray());
        }

        [Test]
        public void ApplyingAllocatesNothing()
        {
            var mapper = new BlendshapeMapper(ArkitNames.Blendshapes, ArkitNames.Blendshapes);
            var sink = new ArraySink(52);
            var weights = new float[52];
            mapper.Apply(weights, sink);
            long before = System.GC.GetTotalMemory(false);
            for (int i = 0; i < 5000; i++) mapper.Apply(weights, sink);
            Assert.Less(System.GC.GetTotalMemory(false) - before, 4096);
        }
    }
}
