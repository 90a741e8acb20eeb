using System;

namespace Facecast.Core
{
    /// <summary>
    /// A spelling-independent key for a blendshape name, so a stream's ARKit names find a mesh's shapes
    /// however the rig spells them: Apple's camelCase (<c>eyeBlinkLeft</c>), PascalCase
    /// (<c>EyeBlinkLeft</c>: Unreal Live Link, Unity Live Capture, Audio2Face-3D), the raw ARKit keys
    /// with a side suffix (<c>eyeBlink_L</c>), and exporter prefixes (<c>blendShape1.eyeBlink_L</c>).
    /// The same rules as the server's <c>runtime.arkit.normalize_name</c>, plus the prefix.
    /// </summary>
    public static class BlendshapeNameKey
    {
        /// <summary>
        /// <c>blendShape1.eyeBlink_L</c>, <c>EyeBlinkLeft</c>, <c>eyeblinkleft</c> → <c>eyeblinkleft</c>.
        /// Drops everything up to the last '.', expands a trailing <c>_L</c>/<c>_R</c> to Left/Right,
        /// lower-cases (invariant culture).
        /// </summary>
        public static string Of(string name)
        {
            if (name == null) throw new ArgumentNullException("name");
            string key = name.Trim();
            int dot = key.LastIndexOf('.');
            if (dot >= 0) key = key.Substring(dot + 1);
            if (key.Length > 2 && key[key.Length - 2] == '_')
            {
                char side = char.ToUpperInvariant(key[key.Length - 1]);
                if (side == 'L') key = key.Substring(0, key.Length - 2) + "Left";
                else if (side == 'R') key = key.Substring(0, key.Length - 2) + "Right";
            }
            return key.ToLowerInvariant();
        }
    }
}
