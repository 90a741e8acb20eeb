#if FACECAST_UNIVRM10
using System;
using Facecast.Core;
using Facecast.Unity;
using UniVRM10;
using UnityEngine;

namespace Facecast.Vrm
{
    /// <summary>
    /// Drives a VRM 1.0 avatar (UniVRM's <c>Vrm10Instance</c>) from the stream through its expression
    /// presets — aa ih ou ee oh, blink blinkLeft blinkRight, happy angry sad relaxed surprised, lookUp
    /// lookDown lookLeft lookRight — by <c>Runtime.Expression.SetWeight</c>. The mapping is
    /// <see cref="VrmExpressionMapper"/> (Facecast.Core), the same as the Python runtime's, so the
    /// avatar shows what <c>facecast vmc</c> sends. Frames come from a <see cref="FacecastSpeaker"/>
    /// (its FrameApplied event), or from your own code through <see cref="Apply"/>.
    /// <para>
    /// The emotion presets follow the emotion the session was asked for: set it here (inspector or
    /// <see cref="SetEmotion"/>) together with the controls you give the speaker. Compiled only with
    /// UniVRM's VRM-1.0 package (com.vrmc.vrm) installed, which defines FACECAST_UNIVRM10.
    /// </para>
    /// Per frame: no allocation, no name lookup (keys and header indices are resolved once).
    /// </summary>
    [AddComponentMenu("Facecast/VRM Expression Driver")]
    public sealed class FacecastVrmDriver : MonoBehaviour
    {
        [Tooltip("The avatar; this object's if empty.")]
        [SerializeField] private Vrm10Instance vrm;

        [Tooltip("Its frames drive the avatar as they are applied; leave empty to call Apply yourself.")]
        [SerializeField] private FacecastSpeaker speaker;

        [Tooltip("The emotion the session runs with (the speaker's controls): drives happy, angry, sad, surprised.")]
        [SerializeField] private FaceEmotion emotion = FaceEmotion.Neutral;

        [Range(0f, 1f)]
        [SerializeField] private float emotionIntensity = 1f;

        [Tooltip("Drive lookUp/Down/Left/Right from the stream's gaze. Turn off when the avatar's own LookAt " +
                 "(a target it follows) should move the eyes instead.")]
        [SerializeField] private bool driveLooks = true;

        // UniVRM's keys in VrmExpressionMapper.Presets order, made once.
        private static readonly ExpressionKey[] Keys = MakeKeys();

        private readonly float[] _weights = new float[VrmExpressionMapper.PresetCount];
        private VrmExpressionMapper _mapper;
        private SessionHeader _boundHeader;

        /// <summary>The avatar driven.</summary>
        public Vrm10Instance Instance
        {
            get { return vrm; }
            set { vrm = value; }
        }

        /// <summary>The emotion presets' source: call it with the controls you give the speaker.</summary>
        public void SetEmotion(FaceEmotion value, float intensity)
        {
            emotion = value;
            emotionIntensity = Mathf.Clamp01(intensity);
        }

        private void Awake()
        {
            if (vrm == null) vrm = GetComponent<Vrm10Instance>();
        }

        private void OnEnable()
        {
            if (speaker != null) speaker.FrameApplied += Apply;
        }

        private void OnDisable()
        {
            if (speaker != null) speaker.FrameApplied -= Apply;
            ResetExpressions();
        }

        /// <summary>Sets every preset from one frame (the speaker's sample, or one of your own).</summary>
        public void Apply(MotionFrameData frame)
        {
            if (vrm == null || frame == null) return;
            BindToHeader();
            _mapper.Map(frame, emotion, emotionIntensity, _weights);
            Vrm10RuntimeExpression expression = vrm.Runtime.Expression;
            for (int i = 0; i < Keys.Length; i++)
            {
                if (!driveLooks && IsLook(i)) continue;
                expression.SetWeight(Keys[i], _weights[i]);
            }
        }

        /// <summary>Every preset this driver sets back to 0 (the neutral face).</summary>
        public void ResetExpressions()
        {
            if (vrm == null) return;
            Vrm10RuntimeExpression expression = vrm.Runtime.Expression;
            for (int i = 0; i < Keys.Length; i++) expression.SetWeight(Keys[i], 0f);
        }

        // The frame's arrays follow the header's names; a new session may bring a new header.
        private void BindToHeader()
        {
            SessionHeader header = speaker != null ? speaker.Header : null;
            if (_mapper != null && header == _boundHeader) return;
            _mapper = header == null
                ? new VrmExpressionMapper()
                : new VrmExpressionMapper(header.BlendshapeNames, header.VisemeNames);
            _boundHeader = header;
        }

        private static bool IsLook(int slot)
        {
            return Keys[slot].Preset == ExpressionPreset.lookUp || Keys[slot].Preset == ExpressionPreset.lookDown
                || Keys[slot].Preset == ExpressionPreset.lookLeft || Keys[slot].Preset == ExpressionPreset.lookRight;
        }

        private static ExpressionKey[] MakeKeys()
        {
            var keys = new ExpressionKey[VrmExpressionMapper.PresetCount];
            for (int i = 0; i < keys.Length; i++) keys[i] = KeyFor(VrmExpressionMapper.Presets[i]);
            return keys;
        }

        // Our preset names are VRM 1.0's, which UniVRM's ExpressionPreset spells the same way.
        private static ExpressionKey KeyFor(string preset)
        {
            switch (preset)
            {
                case "aa": return ExpressionKey.Aa;
                case "ih": return ExpressionKey.Ih;
                case "ou": return ExpressionKey.Ou;
                case "ee": return ExpressionKey.Ee;
                case "oh": return ExpressionKey.Oh;
                case "blink": return ExpressionKey.Blink;
                case "blinkLeft": return ExpressionKey.BlinkLeft;
                case "blinkRight": return ExpressionKey.BlinkRight;
                case "happy": return ExpressionKey.Happy;
                case "angry": return ExpressionKey.Angry;
                case "sad": return ExpressionKey.Sad;
                case "relaxed": return ExpressionKey.Relaxed;
                case "surprised": return ExpressionKey.Surprised;
                case "lookUp": return ExpressionKey.LookUp;
                case "lookDown": return ExpressionKey.LookDown;
                case "lookLeft": return ExpressionKey.LookLeft;
                case "lookRight": return ExpressionKey.LookRight;
                default: throw new ArgumentException("not a VRM 1.0 preset: " + preset, "preset");
            }
        }
    }
}
#endif
