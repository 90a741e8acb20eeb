using System;

namespace Facecast.Core
{
    /// <summary>
    /// Converts a contract head pose (right-handed camera frame, R = Rz(roll)·Ry(yaw)·Rx(pitch), see
    /// <see cref="HeadPoseData"/>) into Unity's left-handed frame.
    /// <para>
    /// Going from a right-handed to a left-handed frame is a reflection S (S = S⁻¹), so a rotation R
    /// becomes R' = S·R·S. Conjugating by a reflection negates a rotation about any axis lying in the
    /// mirror plane and keeps a rotation about the mirror's normal:
    /// <list type="bullet">
    /// <item>camera-facing (S = diag(1, 1, −1), the mirror z → −z): R' = Rz(roll)·Ry(−yaw)·Rx(−pitch);</item>
    /// <item>character-forward (S = diag(−1, 1, 1), the mirror x → −x, because the subject faces the
    /// camera and a Unity character faces +z): R' = Rz(−roll)·Ry(−yaw)·Rx(pitch).</item>
    /// </list>
    /// Flipping signs is not the whole story: the contract composes Z·Y·X while Unity's Euler angles
    /// compose Y·X·Z (Transform applies z, then x, then y), so R' is decomposed again into Unity's
    /// order. The translation goes through the same S, scaled from face widths to metres.
    /// </para>
    /// Allocation-free: structs and doubles only.
    /// </summary>
    public static class HeadPoseConverter
    {
        /// <summary>
        /// A typical adult face width in metres (outer eye corners ≈ 9.5 cm × 1.6, the contract's
        /// definition of a face width).
        /// </summary>
        public const float DefaultFaceWidthMetres = 0.15f;

        // Below this cos(pitch) the Y·X·Z decomposition is at gimbal lock (pitch ±90°).
        private const double GimbalEpsilon = 1e-9;

        /// <summary>R = Rz(roll)·Ry(yaw)·Rx(pitch) in the contract's right-handed camera frame.</summary>
        public static Rotation3 ContractRotation(HeadPoseData pose)
        {
            return Rotation3.AboutZ(pose.RollDeg) * Rotation3.AboutY(pose.YawDeg) * Rotation3.AboutX(pose.PitchDeg);
        }

        /// <summary>The reflection S that takes contract coordinates to the Unity frame.</summary>
        public static Rotation3 Mirror(HeadSpace space)
        {
            return space == HeadSpace.CameraFacing
                ? Rotation3.Diagonal(1, 1, -1)
                : Rotation3.Diagonal(-1, 1, 1);
        }

        /// <summary>R' = S·R·S: the head's rotation as a Unity matrix in the given frame.</summary>
        public static Rotation3 UnityRotation(HeadPoseData pose, HeadSpace space)
        {
            Rotation3 mirror = Mirror(space);
            return mirror * ContractRotation(pose) * mirror;
        }

        /// <summary>
        /// Unity Euler angles (degrees, each in (−180, 180]) of a rotation: the (x, y, z) for which
        /// Ry(y)·Rx(x)·Rz(z) equals it, the order Transform.localEulerAngles and Quaternion.Euler use.
        /// </summary>
        public static void UnityEulerAngles(Rotation3 r, out double x, out double y, out double z)
        {
            // Ry(b)·Rx(a)·Rz(g) has M12 = −sin a, (M02, M22) = cos a·(sin b, cos b) and
            // (M10, M11) = cos a·(sin g, cos g).
            double sinX = Math.Max(-1.0, Math.Min(1.0, -r.M12));
            x = Math.Asin(sinX) * Rotation3.RadiansToDegrees;
            if (Math.Sqrt(r.M10 * r.M10 + r.M11 * r.M11) > GimbalEpsilon)
            {
                y = Math.Atan2(r.M02, r.M22) * Rotation3.RadiansToDegrees;
                z = Math.Atan2(r.M10, r.M11) * Rotation3.RadiansToDegrees;
            }
            else
            {
                // Only y + z (or y − z) is defined: put it all in y; then M00 = cos b, M20 = −sin b.
                y = Math.Atan2(-r.M20, r.M00) * Rotation3.RadiansToDegrees;
                z = 0;
            }
        }

        /// <summary>The unit quaternion (x, y, z, w), w ≥ 0, of a rotation matrix (Shepperd's method).</summary>
        public static void Quaternion(Rotation3 r, out double x, out double y, out double z, out double w)
        {
            double trace = r.M00 + r.M11 + r.M22;
            double s;
            if (trace > 0)
            {
                s = Math.Sqrt(trace + 1.0) * 2.0;
                w = 0.25 * s;
                x = (r.M21 - r.M12) / s;
                y = (r.M02 - r.M20) / s;
                z = (r.M10 - r.M01) / s;
            }
            else if (r.M00 > r.M11 && r.M00 > r.M22)
            {
                s = Math.Sqrt(1.0 + r.M00 - r.M11 - r.M22) * 2.0;
                w = (r.M21 - r.M12) / s;
                x = 0.25 * s;
                y = (r.M01 + r.M10) / s;
                z = (r.M02 + r.M20) / s;
            }
            else if (r.M11 > r.M22)
            {
                s = Math.Sqrt(1.0 + r.M11 - r.M00 - r.M22) * 2.0;
                w = (r.M02 - r.M20) / s;
                x = (r.M01 + r.M10) / s;
                y = 0.25 * s;
                z = (r.M12 + r.M21) / s;
            }
            else
            {
                s = Math.Sqrt(1.0 + r.M22 - r.M00 - r.M11) * 2.0;
                w = (r.M10 - r.M01) / s;
                x = (r.M02 + r.M20) / s;
                y = (r.M12 + r.M21) / s;
                z = 0.25 * s;
            }
            if (w < 0)
            {
                x = -x; y = -y; z = -z; w = -w;
            }
        }

        /// <summary>
        /// The pose in the given Unity frame: rotation (Euler and quaternion) and the translation in
        /// metres, <paramref name="faceWidthMetres"/> per contract face width.
        /// </summary>
        public static EnginePose Convert(HeadPoseData pose, HeadSpace space, float faceWidthMetres)
        {
            Rotation3 rotation = UnityRotation(pose, space);
            double ex, ey, ez, qx, qy, qz, qw;
            UnityEulerAngles(rotation, out ex, out ey, out ez);
            Quaternion(rotation, out qx, out qy, out qz, out qw);
            Rotation3 mirror = Mirror(space);
            var result = new EnginePose();
            result.EulerX = (float)ex;
            result.EulerY = (float)ey;
            result.EulerZ = (float)ez;
            result.QuaternionX = (float)qx;
            result.QuaternionY = (float)qy;
            result.QuaternionZ = (float)qz;
            result.QuaternionW = (float)qw;
            result.PositionX = (float)(mirror.M00 * pose.X * faceWidthMetres);
            result.PositionY = (float)(mirror.M11 * pose.Y * faceWidthMetres);
            result.PositionZ = (float)(mirror.M22 * pose.Z * faceWidthMetres);
            return result;
        }
    }
}
