using System;
using System.Collections.Generic;

namespace Facecast.Core
{
    /// <summary>
    /// Maps the stream header's blendshape names onto a mesh's blendshapes once, then copies each
    /// frame's weights onto the mesh scaled to the engine's range (Unity: 0–100). Names match across
    /// spellings (<see cref="BlendshapeNameKey"/>); names on either side without a partner are kept
    /// in <see cref="UnmatchedStreamNames"/> and <see cref="UnmatchedMeshNames"/> for the log.
    /// One stream weight may drive several mesh shapes (a rig with duplicates); each mesh shape takes
    /// at most one stream weight (the first name that matches).
    /// </summary>
    public sealed class BlendshapeMapper
    {
        public const float UnityWeightMultiplier = 100f;

        private readonly int[] _pairStream;
        private readonly int[] _pairMesh;
        private readonly int[] _streamForMesh;
        private readonly List<string> _unmatchedStream = new List<string>();
        private readonly List<string> _unmatchedMesh = new List<string>();

        /// <param name="streamNames">The header's names, in the order of the frame's weights.</param>
        /// <param name="meshNames">The mesh's blendshape names, in its own index order.</param>
        /// <param name="multiplier">Scale from ARKit's [0, 1] to the mesh's range; 100 for Unity.</param>
        /// <param name="meshNamePrefix">
        /// If not empty, only mesh names starting with it (any case) take part, compared without it:
        /// "viseme_" maps the stream's viseme "aa" onto a Ready Player Me shape "viseme_aa".
        /// </param>
        public BlendshapeMapper(IList<string> streamNames, IList<string> meshNames,
                                float multiplier = UnityWeightMultiplier, string meshNamePrefix = "")
        {
            if (streamNames == null) throw new ArgumentNullException("streamNames");
            if (meshNames == null) throw new ArgumentNullException("meshNames");
            Multiplier = multiplier;
            string prefix = meshNamePrefix ?? "";

            var streamByKey = new Dictionary<string, int>();
            for (int i = 0; i < streamNames.Count; i++)
            {
                string key = BlendshapeNameKey.Of(streamNames[i]);
                if (!streamByKey.ContainsKey(key)) streamByKey.Add(key, i);
            }

            var used = new bool[streamNames.Count];
            var pairStream = new List<int>();
            var pairMesh = new List<int>();
            _streamForMesh = new int[meshNames.Count];
            for (int mesh = 0; mesh < meshNames.Count; mesh++)
            {
                _streamForMesh[mesh] = -1;
                string name = meshNames[mesh];
                if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
                int stream;
                if (streamByKey.TryGetValue(BlendshapeNameKey.Of(name.Substring(prefix.Length)), out stream))
                {
                    _streamForMesh[mesh] = stream;
                    used[stream] = true;
                    pairStream.Add(stream);
                    pairMesh.Add(mesh);
                }
                else
                {
                    _unmatchedMesh.Add(name);
                }
            }
            for (int i = 0; i < streamNames.Count; i++)
            {
                if (!used[i]) _unmatchedStream.Add(streamNames[i]);
            }
            _pairStream = pairStream.ToArray();
            _pairMesh = pairMesh.ToArray();
        }

        /// <summary>Scale applied to every weight; 100 maps ARKit's [0, 1] onto Unity's 0–100.</summary>
        public float Multiplier { get; set; }

        /// <summary>How many mesh shapes the stream drives.</summary>
        public int MatchedCount { get { return _pairMesh.Length; } }

        /// <summary>Stream names no mesh shape matched (the rig lacks them).</summary>
        public IList<string> UnmatchedStreamNames { get { return _unmatchedStream.AsReadOnly(); } }

        /// <summary>Mesh shapes (taking part) that no stream name matched: the stream leaves them alone.</summary>
        public IList<string> UnmatchedMeshNames { get { return _unmatchedMesh.AsReadOnly(); } }

        /// <summary>The stream index that drives mesh shape <paramref name="meshIndex"/>, or -1.</summary>
        public int StreamIndexForMesh(int meshIndex)
        {
            return _streamForMesh[meshIndex];
        }

        /// <summary>Writes every matched weight, times <see cref="Multiplier"/>, into the sink.</summary>
        public void Apply(float[] streamWeights, IBlendshapeSink sink)
        {
            if (streamWeights == null) throw new ArgumentNullException("streamWeights");
            if (sink == null) throw new ArgumentNullException("sink");
            float multiplier = Multiplier;
            for (int pair = 0; pair < _pairMesh.Length; pair++)
            {
                sink.SetWeight(_pairMesh[pair], streamWeights[_pairStream[pair]] * multiplier);
            }
        }
    }
}
