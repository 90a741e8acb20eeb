namespace Facecast.Core
{
    /// <summary>
    /// Where <see cref="BlendshapeMapper.Apply"/> writes mesh weights: a SkinnedMeshRenderer in Unity
    /// (SetBlendShapeWeight), an array in tests. An interface call per shape keeps the loop
    /// allocation-free and Core free of the engine.
    /// </summary>
    public interface IBlendshapeSink
    {
        void SetWeight(int meshIndex, float weight);
    }
}
