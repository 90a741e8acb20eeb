namespace Facecast.Core.Tests
{
    /// <summary>Small hand-made frames for tests.</summary>
    internal static class Frames
    {
        /// <summary>A frame at index / fps whose every channel holds <paramref name="value"/>.</summary>
        public static MotionFrameData Uniform(long index, int fps, float value)
        {
            var frame = new MotionFrameData();
            frame.Index = index;
            frame.TimeS = (double)index / fps;
            frame.HeadPose = new HeadPoseData(value, value, value, value, value, value);
            for (int i = 0; i < frame.Blendshapes.Length; i++) frame.Blendshapes[i] = value;
            for (int i = 0; i < frame.Visemes.Length; i++) frame.Visemes[i] = value;
            for (int i = 0; i < frame.Gaze.Length; i++) frame.Gaze[i] = value;
            frame.VoiceActivity = value;
            return frame;
        }
    }
}
