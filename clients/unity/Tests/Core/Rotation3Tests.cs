using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class Rotation3Tests
    {
        [Test]
        public void EachAxisTurnsByTheRightHandRule()
        {
            double x, y, z;
            Rotation3.AboutX(90).Transform(0, 1, 0, out x, out y, out z);
            Assert.AreEqual(1.0, z, 1e-12, "about +x, y turns towards z");
            Rotation3.AboutY(90).Transform(0, 0, 1, out x, out y, out z);
            Assert.AreEqual(1.0, x, 1e-12, "about +y, z turns towards x");
            Rotation3.AboutZ(90).Transform(1, 0, 0, out x, out y, out z);
            Assert.AreEqual(1.0, y, 1e-12, "about +z, x turns towards y");
        }

        [Test]
        public void AProductAppliesItsRightFactorFirst()
        {
            double x, y, z;
            (Rotation3.AboutZ(90) * Rotation3.AboutX(90)).Transform(0, 1, 0, out x, out y, out z);
            Assert.AreEqual(1.0, z, 1e-12, "x first takes y to z, which z then leaves alone");
            (Rotation3.AboutX(90) * Rotation3.AboutZ(90)).Transform(0, 1, 0, out x, out y, out z);
            Assert.AreEqual(-1.0, x, 1e-12, "z first takes y to -x, which x then leaves alone");
        }

        [Test]
        public void AMirrorTwiceIsTheIdentity()
        {
            Rotation3 mirror = Rotation3.Diagonal(1, 1, -1);
            Assert.Less((mirror * mirror).MaxDifference(Rotation3.Identity), 1e-15);
            Assert.Less((Rotation3.AboutY(30) * Rotation3.AboutY(-30)).MaxDifference(Rotation3.Identity), 1e-15);
        }
    }
}
