using System;
using System.Collections.Generic;

namespace Facecast.Core
{
    /// <summary>One row of a VRM mapping table: a share of a source's weight that a preset takes.</summary>
    public struct VrmShare
    {
        public VrmShare(string preset, string source, double share)
        {
            Preset = preset;
            Source = source;
            Share = share;
        }

        /// <summary>The VRM 1.0 preset that takes the share (aa, happy, ...).</summary>
        public readonly string Preset;
        /// <summary>What it comes from: an OVR viseme name (vowels) or a FaceEmotion name (emotions).</summary>
        public readonly string Source;
        public readonly double Share;
    }

    /// <summary>
    /// A frame (and the session's emotion) → the VRM 1.0 expression presets, each weight in [0, 1]:
    /// the same mapping as the Python runtime's runtime/rigs/vrm.py, table for table, so that a VRM
    /// avatar driven in Unity (FacecastVrmDriver) shows what `facecast vmc` sends.
    /// <list type="bullet">
    /// <item>aa ih ou ee oh: the OVR visemes, <see cref="VowelSources"/> (vowels one to one; CH and RR
    /// lend half their weight to ou, SS half to ih).</item>
    /// <item>blink: min(eyeBlinkLeft, eyeBlinkRight); blinkLeft / blinkRight: each lid beyond that,
    /// so that blink + blinkLeft = eyeBlinkLeft on a rig that adds them (UniVRM does).</item>
    /// <item>happy angry sad relaxed surprised: the emotion × its intensity, <see cref="EmotionSources"/>.</item>
    /// <item>lookLeft / lookRight, lookUp / lookDown: the mean eye yaw and pitch over
    /// <see cref="FullLookDeg"/>; "left" is the avatar's own left, the contract's yaw &gt; 0.</item>
    /// </list>
    /// Kept equal to the Python tables by tests/contract/vrm_expressions.json, which Python writes
    /// from its own tables and this package's tests read (VrmExpressionMapperTests).
    /// Names are bound once from the stream header; <see cref="Map(MotionFrameData, FaceEmotion, double, float[])"/>
    /// allocates nothing.
    /// </summary>
    public sealed class VrmExpressionMapper
    {
        /// <summary>The presets, in the order of the weights Map writes (runtime/rigs/vrm.py VRM_PRESETS).</summary>
        public static readonly string[] Presets =
        {
            "aa", "ih", "ou", "ee", "oh",
            "blink", "blinkLeft", "blinkRight",
            "happy", "angry", "sad", "relaxed", "surprised",
            "lookUp", "lookDown", "lookLeft", "lookRight",
        };

        public static int PresetCount { get { return Presets.Length; } }

        /// <summary>Vowel preset ← share of an OVR viseme's weight (VOWEL_SOURCES), in Python's order.</summary>
        public static readonly VrmShare[] VowelSources =
        {
            new VrmShare("aa", "aa", 1.0),
            new VrmShare("ih", "ih", 1.0),
            new VrmShare("ih", "SS", 0.5),
            new VrmShare("ou", "ou", 1.0),
            new VrmShare("ou", "CH", 0.5),
            new VrmShare("ou", "RR", 0.5),
            new VrmShare("ee", "E", 1.0),
            new VrmShare("oh", "oh", 1.0),
        };

        /// <summary>
        /// Emotion preset ← share of the emotion's intensity (EMOTION_SOURCES). Fear reads as surprise
        /// with sadness, disgust and contempt as anger in part; nothing drives relaxed; neutral none.
        /// </summary>
        public static readonly VrmShare[] EmotionSources =
        {
            new VrmShare("happy", "Happy", 1.0),
            new VrmShare("sad", "Sad", 1.0),
            new VrmShare("angry", "Angry", 1.0),
            new VrmShare("surprised", "Surprised", 1.0),
            new VrmShare("surprised", "Fearful", 0.6),
            new VrmShare("sad", "Fearful", 0.4),
            new VrmShare("angry", "Disgusted", 0.6),
            new VrmShare("angry", "Contempt", 0.3),
        };

        /// <summary>Eye angle, degrees, that drives a look preset fully: the gaze control's limit.</summary>
        public const double FullLookDeg = 30.0;

        private const int EmotionSlots = 9; // FaceEmotion's values 0..8

        private static readonly int Blink = IndexOf("blink");
        private static readonly int BlinkLeft = IndexOf("blinkLeft");
        private static readonly int BlinkRight = IndexOf("blinkRight");
        private static readonly int LookUp = IndexOf("lookUp");
        private static readonly int LookDown = IndexOf("lookDown");
        private static readonly int LookLeft = IndexOf("lookLeft");
        private static readonly int LookRight = IndexOf("lookRight");

        // The tables resolved to indices once: preset slot and viseme index per vowel row (-1: the
        // header lacks that viseme), preset slot and share per emotion row, grouped by emotion.
        private readonly int[] _vowelPreset;
        private readonly int[] _vowelViseme;
        private readonly int[][] _emotionPreset;
        private readonly double[][] _emotionShare;
        private readonly int _eyeBlinkLeft;
        private readonly int _eyeBlinkRight;
        private readonly double[] _scratch;

        /// <param name="blendshapeNames">The header's blendshape names (camelCase ARKit), in frame order.</param>
        /// <param name="visemeNames">The header's viseme names (OVR), in frame order.</param>
        public VrmExpressionMapper(IList<string> blendshapeNames, IList<string> visemeNames)
        {
            if (blendshapeNames == null) throw new ArgumentNullException("blendshapeNames");
            if (visemeNames == null) throw new ArgumentNullException("visemeNames");
            _eyeBlinkLeft = blendshapeNames.IndexOf("eyeBlinkLeft");
            _eyeBlinkRight = blendshapeNames.IndexOf("eyeBlinkRight");
            _vowelPreset = new int[VowelSources.Length];
            _vowelViseme = new int[VowelSources.Length];
            for (int i = 0; i < VowelSources.Length; i++)
            {
                _vowelPreset[i] = IndexOf(VowelSources[i].Preset);
                _vowelViseme[i] = visemeNames.IndexOf(VowelSources[i].Source);
            }
            _emotionPreset = new int[EmotionSlots][];
            _emotionShare = new double[EmotionSlots][];
            for (int emotion = 0; emotion < EmotionSlots; emotion++)
            {
                string name = ((FaceEmotion)emotion).ToString();
                var presets = new List<int>();
                var shares = new List<double>();
                foreach (VrmShare row in EmotionSources)
                {
                    if (row.Source != name) continue;
                    presets.Add(IndexOf(row.Preset));
                    shares.Add(row.Share);
                }
                _emotionPreset[emotion] = presets.ToArray();
                _emotionShare[emotion] = shares.ToArray();
            }
            _scratch = new double[Presets.Length];
        }

        /// <summary>A mapper for the contract's own names (ArkitNames), for tests and clips.</summary>
        public VrmExpressionMapper() : this(ArkitNames.Blendshapes, ArkitNames.Visemes)
        {
        }

        /// <summary>The slot of a preset in the weights, or -1.</summary>
        public static int IndexOf(string preset)
        {
            return Array.IndexOf(Presets, preset);
        }

        /// <summary>
        /// Writes every preset's weight, in <see cref="Presets"/> order, into <paramref name="weights"/>
        /// (at least <see cref="PresetCount"/> long), in double precision: the Python runtime's arithmetic.
        /// </summary>
        /// <param name="emotion">The session's emotion; Unchanged counts as Neutral.</param>
        /// <param name="intensity">Its intensity, 0..1.</param>
        public void Map(MotionFrameData frame, FaceEmotion emotion, double intensity, double[] weights)
        {
            if (frame == null) throw new ArgumentNullException("frame");
            if (weights == null) throw new ArgumentNullException("weights");
            if (weights.Length < Presets.Length) throw new ArgumentException("weights needs " + Presets.Length + " slots", "weights");
            Array.Clear(weights, 0, Presets.Length);
            for (int i = 0; i < _vowelPreset.Length; i++)
            {
                int viseme = _vowelViseme[i];
                if (viseme >= 0 && viseme < frame.Visemes.Length)
                {
                    weights[_vowelPreset[i]] += VowelSources[i].Share * frame.Visemes[viseme];
                }
            }
            double left = Weight(frame.Blendshapes, _eyeBlinkLeft);
            double right = Weight(frame.Blendshapes, _eyeBlinkRight);
            double both = Math.Min(left, right);
            weights[Blink] = both;
            weights[BlinkLeft] = left - both;
            weights[BlinkRight] = right - both;
            int slot = (int)emotion;
            if (slot >= 0 && slot < EmotionSlots)
            {
                int[] presets = _emotionPreset[slot];
                double[] shares = _emotionShare[slot];
                for (int i = 0; i < presets.Length; i++) weights[presets[i]] = shares[i] * intensity;
            }
            double yaw = ((double)frame.Gaze[MotionFrameData.GazeLeftYaw] + frame.Gaze[MotionFrameData.GazeRightYaw]) / 2 / FullLookDeg;
            double pitch = ((double)frame.Gaze[MotionFrameData.GazeLeftPitch] + frame.Gaze[MotionFrameData.GazeRightPitch]) / 2 / FullLookDeg;
            weights[LookLeft] = Math.Max(yaw, 0.0);
            weights[LookRight] = Math.Max(-yaw, 0.0);
            weights[LookDown] = Math.Max(pitch, 0.0);
            weights[LookUp] = Math.Max(-pitch, 0.0);
            for (int i = 0; i < Presets.Length; i++) weights[i] = Math.Max(0.0, Math.Min(1.0, weights[i]));
        }

        /// <summary>The same as single-precision weights, what UniVRM's SetWeight takes.</summary>
        public void Map(MotionFrameData frame, FaceEmotion emotion, double intensity, float[] weights)
        {
            if (weights == null) throw new ArgumentNullException("weights");
            if (weights.Length < Presets.Length) throw new ArgumentException("weights needs " + Presets.Length + " slots", "weights");
            Map(frame, emotion, intensity, _scratch);
            for (int i = 0; i < Presets.Length; i++) weights[i] = (float)_scratch[i];
        }

        private static double Weight(float[] values, int index)
        {
            return index >= 0 && index < values.Length ? values[index] : 0.0;
        }
    }
}
