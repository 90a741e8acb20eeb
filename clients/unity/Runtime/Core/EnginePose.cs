namespace Facecast.Core
{
    /// <summary>
    /// A head pose converted to Unity's left-handed frame: Euler angles for
    /// Transform.localEulerAngles (Unity's order: z, then x, then y), the same rotation as a
    /// quaternion (x, y, z, w: new Quaternion(x, y, z, w)), and a position in metres.
    /// </summary>
    public struct EnginePose
    {
        public float EulerX;
        public float EulerY;
        public float EulerZ;
        public float QuaternionX;
        public float QuaternionY;
        public float QuaternionZ;
        public float QuaternionW;
        public float PositionX;
        public float PositionY;
        public float PositionZ;
    }
}
