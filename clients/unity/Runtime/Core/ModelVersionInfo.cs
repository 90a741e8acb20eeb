namespace Facecast.Core
{
    /// <summary>One model that computed a stream or a clip (the contract's ModelVersion).</summary>
    public sealed class ModelVersionInfo
    {
        public ModelVersionInfo(string component, string name, string version)
        {
            Component = component;
            Name = name;
            Version = version;
        }

        /// <summary>What the model does: "mouth", "dynamics", "renderer".</summary>
        public string Component { get; private set; }
        public string Name { get; private set; }
        public string Version { get; private set; }

        public override string ToString()
        {
            return Component + ": " + Name + " " + Version;
        }
    }
}
