using System;

namespace Facecast.Core
{
    /// <summary>
    /// A 3×3 rotation matrix (row-major, acting on column vectors: v' = M·v), in double precision.
    /// Unity's matrices and quaternions use this same numeric form; only the picture of "which way is
    /// positive" differs between left- and right-handed frames, which is what
    /// <see cref="HeadPoseConverter"/> deals with.
    /// </summary>
    public struct Rotation3
    {
        public double M00, M01, M02;
        public double M10, M11, M12;
        public double M20, M21, M22;

        public Rotation3(double m00, double m01, double m02,
                         double m10, double m11, double m12,
                         double m20, double m21, double m22)
        {
            M00 = m00; M01 = m01; M02 = m02;
            M10 = m10; M11 = m11; M12 = m12;
            M20 = m20; M21 = m21; M22 = m22;
        }

        public const double DegreesToRadians = Math.PI / 180.0;
        public const double RadiansToDegrees = 180.0 / Math.PI;

        public static Rotation3 Identity
        {
            get { return new Rotation3(1, 0, 0, 0, 1, 0, 0, 0, 1); }
        }

        /// <summary>Rotation about +x: y turns towards z.</summary>
        public static Rotation3 AboutX(double degrees)
        {
            double c = Math.Cos(degrees * DegreesToRadians), s = Math.Sin(degrees * DegreesToRadians);
            return new Rotation3(1, 0, 0, 0, c, -s, 0, s, c);
        }

        /// <summary>Rotation about +y: z turns towards x.</summary>
        public static Rotation3 AboutY(double degrees)
        {
            double c = Math.Cos(degrees * DegreesToRadians), s = Math.Sin(degrees * DegreesToRadians);
            return new Rotation3(c, 0, s, 0, 1, 0, -s, 0, c);
        }

        /// <summary>Rotation about +z: x turns towards y.</summary>
        public static Rotation3 AboutZ(double degrees)
        {
            double c = Math.Cos(degrees * DegreesToRadians), s = Math.Sin(degrees * DegreesToRadians);
            return new Rotation3(c, -s, 0, s, c, 0, 0, 0, 1);
        }

        /// <summary>A diagonal matrix of ±1: the reflections that change one frame's handedness.</summary>
        public static Rotation3 Diagonal(double x, double y, double z)
        {
            return new Rotation3(x, 0, 0, 0, y, 0, 0, 0, z);
        }

        public static Rotation3 operator *(Rotation3 a, Rotation3 b)
        {
            return new Rotation3(
                a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20,
                a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21,
                a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
                a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20,
                a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21,
                a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
                a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20,
                a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21,
                a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);
        }

        /// <summary>M·v for the vector (x, y, z).</summary>
        public void Transform(double x, double y, double z, out double rx, out double ry, out double rz)
        {
            rx = M00 * x + M01 * y + M02 * z;
            ry = M10 * x + M11 * y + M12 * z;
            rz = M20 * x + M21 * y + M22 * z;
        }

        /// <summary>Largest absolute difference of any element: for tests and checks.</summary>
        public double MaxDifference(Rotation3 other)
        {
            double d = 0;
            d = Math.Max(d, Math.Abs(M00 - other.M00));
            d = Math.Max(d, Math.Abs(M01 - other.M01));
            d = Math.Max(d, Math.Abs(M02 - other.M02));
            d = Math.Max(d, Math.Abs(M10 - other.M10));
            d = Math.Max(d, Math.Abs(M11 - other.M11));
            d = Math.Max(d, Math.Abs(M12 - other.M12));
            d = Math.Max(d, Math.Abs(M20 - other.M20));
            d = Math.Max(d, Math.Abs(M21 - other.M21));
            d = Math.Max(d, Math.Abs(M22 - other.M22));
            return d;
        }
    }
}
