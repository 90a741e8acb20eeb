using System;

namespace Facecast.Core.Tests
{
    /// <summary>A mesh stand-in: the weights BlendshapeMapper writes, by mesh index; NaN where none was written.</summary>
    internal sealed class ArraySink : IBlendshapeSink
    {
        public readonly float[] Weights;
        public int Writes;

        public ArraySink(int meshCount)
        {
            Weights = new float[meshCount];
            for (int i = 0; i < meshCount; i++) Weights[i] = float.NaN;
        }

        public void SetWeight(int meshIndex, float weight)
        {
            Weights[meshIndex] = weight;
            Writes++;
        }
    }
}
