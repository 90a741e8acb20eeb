using System;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class HeadPoseConverterTests
    {
        private static readonly HeadSpace[] Spaces = { HeadSpace.CameraFacing, HeadSpace.CharacterForward };

        // What Unity builds from localEulerAngles: z applied first, then x, then y.
        private static Rotation3 UnityFromEuler(double x, double y, double z)
        {
            return Rotation3.AboutY(y) * Rotation3.AboutX(x) * Rotation3.AboutZ(z);
        }

        private static Rotation3 FromQuaternion(double x, double y, double z, double w)
        {
            return new Rotation3(
                1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y));
        }

        private static HeadPoseData Pose(float pitch, float yaw, float roll)
        {
            return new HeadPoseData(pitch, yaw, roll, 0, 0, 0);
        }

        [Test]
        public void EulerAnglesReproduceTheMirroredRotationInUnitysOrder()
        {
            var random = new Random(1234);
            foreach (HeadSpace space in Spaces)
            {
                for (int i = 0; i < 500; i++)
                {
                    HeadPoseData pose = Pose((float)(random.NextDouble() * 170 - 85), (float)(random.NextDouble() * 340 - 170),
                                             (float)(random.NextDouble() * 340 - 170));
                    Rotation3 mirror = space == HeadSpace.CameraFacing ? Rotation3.Diagonal(1, 1, -1) : Rotation3.Diagonal(-1, 1, 1);
                    Rotation3 contract = Rotation3.AboutZ(pose.RollDeg) * Rotation3.AboutY(pose.YawDeg) * Rotation3.AboutX(pose.PitchDeg);
                    Rotation3 expected = mirror * contract * mirror;
                    EnginePose converted = HeadPoseConverter.Convert(pose, space, 1f);
                    double x, y, z;
                    HeadPoseConverter.UnityEulerAngles(expected, out x, out y, out z);
                    Assert.Less(UnityFromEuler(x, y, z).MaxDifference(expected), 1e-9, "{0} {1}/{2}/{3}", space, pose.PitchDeg, pose.YawDeg, pose.RollDeg);
                    Assert.Less(UnityFromEuler(converted.EulerX, converted.EulerY, converted.EulerZ).MaxDifference(expected), 1e-5);
                }
            }
        }

        [Test]
        public void MirroringFlipsTheRotationsAboutAxesInTheMirrorPlane()
        {
            HeadPoseData pose = Pose(20, -35, 15);
            Rotation3 camera = Rotation3.AboutZ(15) * Rotation3.AboutY(35) * Rotation3.AboutX(-20);
            Rotation3 character = Rotation3.AboutZ(-15) * Rotation3.AboutY(35) * Rotation3.AboutX(20);
            Assert.Less(HeadPoseConverter.UnityRotation(pose, HeadSpace.CameraFacing).MaxDifference(camera), 1e-12);
            Assert.Less(HeadPoseConverter.UnityRotation(pose, HeadSpace.CharacterForward).MaxDifference(character), 1e-12);
        }

        [Test]
        public void ASingleAngleIsJustASignFlip()
        {
            EnginePose nod = HeadPoseConverter.Convert(Pose(20, 0, 0), HeadSpace.CameraFacing, 1f);
            Assert.AreEqual(-20f, nod.EulerX, 1e-4);
            EnginePose turn = HeadPoseConverter.Convert(Pose(0, 30, 0), HeadSpace.CharacterForward, 1f);
            Assert.AreEqual(-30f, turn.EulerY, 1e-4);
            EnginePose tilt = HeadPoseConverter.Convert(Pose(0, 0, 25), HeadSpace.CameraFacing, 1f);
            Assert.AreEqual(25f, tilt.EulerZ, 1e-4);
        }

        [Test]
        public void TheQuaternionIsTheSameRotation()
        {
            var random = new Random(99);
            foreach (HeadSpace space in Spaces)
            {
                for (int i = 0; i < 200; i++)
                {
                    HeadPoseData pose = Pose((float)(random.NextDouble() * 120 - 60), (float)(random.NextDouble() * 340 - 170),
                                             (float)(random.NextDouble() * 340 - 170));
                    EnginePose converted = HeadPoseConverter.Convert(pose, space, 1f);
                    Rotation3 rebuilt = FromQuaternion(converted.QuaternionX, converted.QuaternionY, converted.QuaternionZ, converted.QuaternionW);
                    Assert.Less(rebuilt.MaxDifference(HeadPoseConverter.UnityRotation(pose, space)), 1e-5);
                    Assert.GreaterOrEqual(converted.QuaternionW, 0f);
                }
            }
        }

        // The contract's words, in Unity coordinates: pitch > 0 nods the nose down, yaw > 0 turns it
        // towards the image's right, roll > 0 tilts the crown towards the image's left. Facing the
        // camera, the image's right is +x; a character facing the camera has it on its left, −x.
        [TestCase(HeadSpace.CameraFacing, -1.0, 1.0)]
        [TestCase(HeadSpace.CharacterForward, 1.0, -1.0)]
        public void TheHeadMovesTheWayTheContractSays(HeadSpace space, double forwardZ, double imageRight)
        {
            double x, y, z;
            HeadPoseConverter.UnityRotation(Pose(20, 0, 0), space).Transform(0, 0, forwardZ, out x, out y, out z);
            Assert.Less(y, -0.3, "pitch > 0 nods down");
            HeadPoseConverter.UnityRotation(Pose(0, 30, 0), space).Transform(0, 0, forwardZ, out x, out y, out z);
            Assert.Greater(x * imageRight, 0.4, "yaw > 0 turns towards the image's right");
            HeadPoseConverter.UnityRotation(Pose(0, 0, 25), space).Transform(0, 1, 0, out x, out y, out z);
            Assert.Less(x * imageRight, -0.4, "roll > 0 tilts the crown towards the image's left");
        }

        [Test]
        public void TranslationGoesThroughTheSameMirrorInMetres()
        {
            var pose = new HeadPoseData(0, 0, 0, 0.1f, 0.2f, 0.4f);
            EnginePose camera = HeadPoseConverter.Convert(pose, HeadSpace.CameraFacing, 0.15f);
            Assert.AreEqual(0.015f, camera.PositionX, 1e-7);
            Assert.AreEqual(0.03f, camera.PositionY, 1e-7);
            Assert.AreEqual(-0.06f, camera.PositionZ, 1e-7, "towards the camera is −z when the camera looks down +z");
            EnginePose character = HeadPoseConverter.Convert(pose, HeadSpace.CharacterForward, 0.15f);
            Assert.AreEqual(-0.015f, character.PositionX, 1e-7, "the image's right is the character's left");
            Assert.AreEqual(0.06f, character.PositionZ, 1e-7, "towards the camera is the character's forward");
        }

        [Test]
        public void TheRestPoseIsTheIdentity()
        {
            EnginePose rest = HeadPoseConverter.Convert(new HeadPoseData(), HeadSpace.CharacterForward, 0.15f);
            Assert.AreEqual(0f, rest.EulerX);
            Assert.AreEqual(0f, rest.EulerY);
            Assert.AreEqual(0f, rest.EulerZ);
            Assert.AreEqual(1f, rest.QuaternionW);
        }

        [TestCase(90.0)]
        [TestCase(-90.0)]
        [TestCase(89.99999)]
        public void GimbalLockStillGivesTheRotation(double unityX)
        {
            Rotation3 expected = UnityFromEuler(unityX, 30, 20);
            double x, y, z;
            HeadPoseConverter.UnityEulerAngles(expected, out x, out y, out z);
            Assert.Less(UnityFromEuler(x, y, z).MaxDifference(expected), 1e-6);
        }
    }
}
