using System.Collections.Generic;

namespace Facecast.Core
{
    /// <summary>
    /// What the server announces once, before any frame (the contract's SessionStarted): the names
    /// that give the frame arrays their meaning, and the stream's timing. Rigs bind to these names.
    /// </summary>
    public sealed class SessionHeader
    {
        public SessionHeader(string sessionId, string[] blendshapeNames, string[] visemeNames, int fps,
                             double lookaheadS, IList<ModelVersionInfo> modelVersions)
        {
            SessionId = sessionId;
            BlendshapeNames = blendshapeNames;
            VisemeNames = visemeNames;
            Fps = fps;
            LookaheadS = lookaheadS;
            ModelVersions = modelVersions;
        }

        /// <summary>For logs and support requests.</summary>
        public string SessionId { get; private set; }
        /// <summary>Names of MotionFrameData.Blendshapes, in order (52 ARKit names, camelCase).</summary>
        public string[] BlendshapeNames { get; private set; }
        /// <summary>Names of MotionFrameData.Visemes, in order (15 OVR visemes).</summary>
        public string[] VisemeNames { get; private set; }
        public int Fps { get; private set; }
        /// <summary>Audio the server needs beyond a frame's time before it can send it, seconds: the
        /// least a live client must delay its face behind its microphone.</summary>
        public double LookaheadS { get; private set; }
        public IList<ModelVersionInfo> ModelVersions { get; private set; }
    }
}
