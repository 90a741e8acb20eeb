using System;

namespace Facecast.Core
{
    /// <summary>
    /// One motion latent frame, engine-neutral: what the wire's MotionFrame carries, in plain fields.
    /// Instances are allocated once (by a <see cref="JitterBuffer"/>, a <see cref="FrameHandoff"/> or
    /// the caller) and then overwritten in place, so the per-frame path allocates nothing.
    /// </summary>
    public sealed class MotionFrameData
    {
        // Indices into Gaze: the subject's own left eye first, as in the contract (degrees, yaw > 0
        // towards the image's right, pitch > 0 down).
        public const int GazeLeftYaw = 0;
        public const int GazeLeftPitch = 1;
        public const int GazeRightYaw = 2;
        public const int GazeRightPitch = 3;
        public const int GazeCount = 4;

        /// <summary>Frame number from 0 within its stream.</summary>
        public long Index;
        /// <summary>Time on the audio clock, seconds (index / fps).</summary>
        public double TimeS;
        public HeadPoseData HeadPose;
        /// <summary>ARKit weights in [0, 1], in the order of the stream header's names.</summary>
        public readonly float[] Blendshapes;
        /// <summary>Viseme weights in [0, 1] summing to 1, in the order of the header's viseme names.</summary>
        public readonly float[] Visemes;
        /// <summary>Left yaw, left pitch, right yaw, right pitch, degrees (see the Gaze* indices).</summary>
        public readonly float[] Gaze;
        /// <summary>Probability in [0, 1] that the speaker is voicing.</summary>
        public float VoiceActivity;

        public MotionFrameData() : this(ArkitNames.BlendshapeCount, ArkitNames.VisemeCount)
        {
        }

        public MotionFrameData(int blendshapeCount, int visemeCount)
        {
            if (blendshapeCount < 0) throw new ArgumentOutOfRangeException("blendshapeCount");
            if (visemeCount < 0) throw new ArgumentOutOfRangeException("visemeCount");
            Blendshapes = new float[blendshapeCount];
            Visemes = new float[visemeCount];
            Gaze = new float[GazeCount];
        }

        public void CopyFrom(MotionFrameData source)
        {
            CheckSameShape(source);
            Index = source.Index;
            TimeS = source.TimeS;
            HeadPose = source.HeadPose;
            Array.Copy(source.Blendshapes, Blendshapes, Blendshapes.Length);
            Array.Copy(source.Visemes, Visemes, Visemes.Length);
            Array.Copy(source.Gaze, Gaze, GazeCount);
            VoiceActivity = source.VoiceActivity;
        }

        /// <summary>
        /// Writes the linear interpolation from <paramref name="a"/> (t = 0) to <paramref name="b"/>
        /// (t = 1) into this frame. Index is a's; TimeS is the caller's to set.
        /// </summary>
        public void SetInterpolated(MotionFrameData a, MotionFrameData b, float t)
        {
            CheckSameShape(a);
            CheckSameShape(b);
            Index = a.Index;
            TimeS = a.TimeS + (b.TimeS - a.TimeS) * t;
            HeadPose = HeadPoseData.Lerp(a.HeadPose, b.HeadPose, t);
            Lerp(a.Blendshapes, b.Blendshapes, t, Blendshapes);
            Lerp(a.Visemes, b.Visemes, t, Visemes);
            Lerp(a.Gaze, b.Gaze, t, Gaze);
            VoiceActivity = a.VoiceActivity + (b.VoiceActivity - a.VoiceActivity) * t;
        }

        private static void Lerp(float[] a, float[] b, float t, float[] into)
        {
            for (int i = 0; i < into.Length; i++)
            {
                into[i] = a[i] + (b[i] - a[i]) * t;
            }
        }

        private void CheckSameShape(MotionFrameData other)
        {
            if (other == null) throw new ArgumentNullException("other");
            if (other.Blendshapes.Length != Blendshapes.Length || other.Visemes.Length != Visemes.Length)
            {
                throw new ArgumentException(string.Format(
                    "frame shapes differ: {0} blendshapes and {1} visemes here, {2} and {3} there",
                    Blendshapes.Length, Visemes.Length, other.Blendshapes.Length, other.Visemes.Length));
            }
        }
    }
}
