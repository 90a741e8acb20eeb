namespace Facecast.Core
{
    /// <summary>
    /// A head pose in the wire contract's units and axes (motion.proto): degrees by the right-hand
    /// rule in a right-handed camera frame (+x image right, +y up, +z towards the viewer), pitch &gt; 0
    /// nods down, yaw &gt; 0 turns towards the image's right, roll &gt; 0 tilts counter-clockwise;
    /// translation in face widths. Engines convert it with <see cref="HeadPoseConverter"/>.
    /// A struct, so frames hold it inline and copying or interpolating allocates nothing.
    /// </summary>
    public struct HeadPoseData
    {
        public float PitchDeg;
        public float YawDeg;
        public float RollDeg;
        public float X;
        public float Y;
        public float Z;

        public HeadPoseData(float pitchDeg, float yawDeg, float rollDeg, float x, float y, float z)
        {
            PitchDeg = pitchDeg;
            YawDeg = yawDeg;
            RollDeg = rollDeg;
            X = x;
            Y = y;
            Z = z;
        }

        /// <summary>
        /// Component-wise linear interpolation. Plain lerp of the angles is right here: head poses stay
        /// far from ±180°, and between two frames 1/fps apart they differ by a degree or two.
        /// </summary>
        public static HeadPoseData Lerp(HeadPoseData a, HeadPoseData b, float t)
        {
            return new HeadPoseData(
                a.PitchDeg + (b.PitchDeg - a.PitchDeg) * t,
                a.YawDeg + (b.YawDeg - a.YawDeg) * t,
                a.RollDeg + (b.RollDeg - a.RollDeg) * t,
                a.X + (b.X - a.X) * t,
                a.Y + (b.Y - a.Y) * t,
                a.Z + (b.Z - a.Z) * t);
        }
    }
}
