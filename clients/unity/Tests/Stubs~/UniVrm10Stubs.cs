// Stand-ins for the members of UniVRM's VRM-1.0 package (com.vrmc.vrm, assembly VRM10, namespace
// UniVRM10) that FacecastVrmDriver uses, with the signatures of its sources (see README.md):
// Runtime/Components/Expression/ExpressionKey.cs, Vrm10Runtime/Vrm10RuntimeExpression.cs,
// Vrm10Instance.cs. Only what the driver touches.
using UnityEngine;

namespace UniVRM10
{
    public enum ExpressionPreset
    {
        custom, happy, angry, sad, relaxed, surprised, aa, ih, ou, ee, oh, blink, blinkLeft, blinkRight,
        lookUp, lookDown, lookLeft, lookRight, neutral,
    }

    public struct ExpressionKey
    {
        public readonly ExpressionPreset Preset;
        public readonly string Name;

        public ExpressionKey(ExpressionPreset preset, string customName = null)
        {
            Preset = preset;
            Name = customName;
        }

        public static ExpressionKey CreateFromPreset(ExpressionPreset preset) { return new ExpressionKey(preset); }
        public static ExpressionKey CreateCustom(string key) { return new ExpressionKey(ExpressionPreset.custom, key); }
        public static ExpressionKey Happy { get { return CreateFromPreset(ExpressionPreset.happy); } }
        public static ExpressionKey Angry { get { return CreateFromPreset(ExpressionPreset.angry); } }
        public static ExpressionKey Sad { get { return CreateFromPreset(ExpressionPreset.sad); } }
        public static ExpressionKey Relaxed { get { return CreateFromPreset(ExpressionPreset.relaxed); } }
        public static ExpressionKey Surprised { get { return CreateFromPreset(ExpressionPreset.surprised); } }
        public static ExpressionKey Aa { get { return CreateFromPreset(ExpressionPreset.aa); } }
        public static ExpressionKey Ih { get { return CreateFromPreset(ExpressionPreset.ih); } }
        public static ExpressionKey Ou { get { return CreateFromPreset(ExpressionPreset.ou); } }
        public static ExpressionKey Ee { get { return CreateFromPreset(ExpressionPreset.ee); } }
        public static ExpressionKey Oh { get { return CreateFromPreset(ExpressionPreset.oh); } }
        public static ExpressionKey Blink { get { return CreateFromPreset(ExpressionPreset.blink); } }
        public static ExpressionKey BlinkLeft { get { return CreateFromPreset(ExpressionPreset.blinkLeft); } }
        public static ExpressionKey BlinkRight { get { return CreateFromPreset(ExpressionPreset.blinkRight); } }
        public static ExpressionKey LookUp { get { return CreateFromPreset(ExpressionPreset.lookUp); } }
        public static ExpressionKey LookDown { get { return CreateFromPreset(ExpressionPreset.lookDown); } }
        public static ExpressionKey LookLeft { get { return CreateFromPreset(ExpressionPreset.lookLeft); } }
        public static ExpressionKey LookRight { get { return CreateFromPreset(ExpressionPreset.lookRight); } }
        public static ExpressionKey Neutral { get { return CreateFromPreset(ExpressionPreset.neutral); } }
    }

    public sealed class Vrm10RuntimeExpression
    {
        public void SetWeight(ExpressionKey expressionKey, float weight) { }
        public float GetWeight(ExpressionKey expressionKey) { return 0f; }
    }

    public sealed class Vrm10Runtime
    {
        public Vrm10RuntimeExpression Expression { get { return null; } }
    }

    public class Vrm10Instance : MonoBehaviour
    {
        public Vrm10Runtime Runtime { get { return null; } }
    }
}
