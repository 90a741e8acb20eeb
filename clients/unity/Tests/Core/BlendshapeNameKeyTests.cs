using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class BlendshapeNameKeyTests
    {
        [TestCase("eyeBlinkLeft", "eyeblinkleft")]
        [TestCase("EyeBlinkLeft", "eyeblinkleft")]
        [TestCase("eyeBlink_L", "eyeblinkleft")]
        [TestCase("eyeBlink_R", "eyeblinkright")]
        [TestCase("EYEBLINK_l", "eyeblinkleft")]
        [TestCase("blendShape1.eyeBlink_L", "eyeblinkleft")]
        [TestCase("Face.Mesh.MouthSmile_R", "mouthsmileright")]
        [TestCase("  jawOpen ", "jawopen")]
        [TestCase("jawLeft", "jawleft")]
        [TestCase("viseme_aa", "viseme_aa")]
        [TestCase("_L", "_l")]
        public void SpellingsOfANameShareOneKey(string name, string key)
        {
            Assert.AreEqual(key, BlendshapeNameKey.Of(name));
        }
    }
}
