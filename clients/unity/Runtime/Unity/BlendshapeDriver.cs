using System.Collections.Generic;
using Facecast.Core;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// Drives a SkinnedMeshRenderer's blendshapes from the stream: ARKit names matched to the mesh's
    /// shapes once per session (any spelling, see <see cref="BlendshapeMapper"/>), then each frame a
    /// loop over cached indices — no lookups, no allocation. Optionally the visemes too, onto shapes
    /// named with a prefix (Ready Player Me: "viseme_aa").
    /// </summary>
    [AddComponentMenu("Facecast/Blendshape Driver")]
    public sealed class BlendshapeDriver : MonoBehaviour, IBlendshapeSink
    {
        [SerializeField] private SkinnedMeshRenderer target;

        [Tooltip("ARKit weights are 0..1; Unity's blendshape weights are 0..100.")]
        [SerializeField] private float weightMultiplier = BlendshapeMapper.UnityWeightMultiplier;

        [Tooltip("Also drive viseme shapes named <prefix><viseme>, e.g. viseme_aa.")]
        [SerializeField] private bool driveVisemes;

        [SerializeField] private string visemePrefix = "viseme_";

        [Tooltip("Log the stream names the mesh lacks, once per binding.")]
        [SerializeField] private bool logUnmatched = true;

        private BlendshapeMapper _blendshapes;
        private BlendshapeMapper _visemes;

        public SkinnedMeshRenderer Target
        {
            get { return target; }
            set { target = value; _blendshapes = null; _visemes = null; }
        }

        public bool IsBound { get { return _blendshapes != null; } }

        /// <summary>Matches the header's names to the mesh's shapes; call when a session starts.</summary>
        public void Bind(IList<string> blendshapeNames, IList<string> visemeNames)
        {
            if (target == null || target.sharedMesh == null)
            {
                Debug.LogWarning("Facecast: BlendshapeDriver has no SkinnedMeshRenderer with a mesh", this);
                return;
            }
            Mesh mesh = target.sharedMesh;
            var meshNames = new string[mesh.blendShapeCount];
            for (int i = 0; i < meshNames.Length; i++) meshNames[i] = mesh.GetBlendShapeName(i);
            _blendshapes = new BlendshapeMapper(blendshapeNames, meshNames, weightMultiplier);
            _visemes = driveVisemes ? new BlendshapeMapper(visemeNames, meshNames, weightMultiplier, visemePrefix) : null;
            if (logUnmatched && _blendshapes.UnmatchedStreamNames.Count > 0)
            {
                Debug.Log(string.Format("Facecast: {0} drives {1} of {2} ARKit shapes; missing: {3}", mesh.name,
                    _blendshapes.MatchedCount, blendshapeNames.Count, string.Join(", ", _blendshapes.UnmatchedStreamNames)), this);
            }
        }

        public void Apply(MotionFrameData frame)
        {
            if (_blendshapes == null) return;
            _blendshapes.Apply(frame.Blendshapes, this);
            if (_visemes != null) _visemes.Apply(frame.Visemes, this);
        }

        void IBlendshapeSink.SetWeight(int meshIndex, float weight)
        {
            target.SetBlendShapeWeight(meshIndex, weight);
        }

        private void OnValidate()
        {
            if (_blendshapes != null) _blendshapes.Multiplier = weightMultiplier;
            if (_visemes != null) _visemes.Multiplier = weightMultiplier;
        }
    }
}
