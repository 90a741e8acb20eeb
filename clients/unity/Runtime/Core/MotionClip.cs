using System.Collections.Generic;

namespace Facecast.Core
{
    /// <summary>
    /// A whole baked clip (<c>facecast bake</c>): the header of a stream and all its frames, for
    /// playing a voice line's motion without a server. Play it like a stream: add the frames to a
    /// <see cref="JitterBuffer"/> large enough for them all, sample at the audio time.
    /// </summary>
    public sealed class MotionClip
    {
        public MotionClip(int fps, double durationS, string[] blendshapeNames, string[] visemeNames, long seed,
                          List<ModelVersionInfo> modelVersions, string generator, List<MotionFrameData> frames)
        {
            Fps = fps;
            DurationS = durationS;
            BlendshapeNames = blendshapeNames;
            VisemeNames = visemeNames;
            Seed = seed;
            ModelVersions = modelVersions.AsReadOnly();
            Generator = generator;
            Frames = frames.AsReadOnly();
        }

        public int Fps { get; private set; }
        /// <summary>Length of the audio, seconds.</summary>
        public double DurationS { get; private set; }
        public string[] BlendshapeNames { get; private set; }
        public string[] VisemeNames { get; private set; }
        public long Seed { get; private set; }
        public IList<ModelVersionInfo> ModelVersions { get; private set; }
        /// <summary>What wrote the file, e.g. "facecast 0.1.0".</summary>
        public string Generator { get; private set; }
        public IList<MotionFrameData> Frames { get; private set; }
    }
}
