namespace Facecast.Core
{
    /// <summary>
    /// The expressive controls of a session (controls.proto). A null field is "not set": at the start
    /// it takes the server's default, in an update it keeps its current value. Ranges are checked by
    /// the server, which answers INVALID_ARGUMENT naming the field.
    /// </summary>
    public sealed class FaceControls
    {
        /// <summary>Eye direction relative to the head, degrees, −30..30 (yaw &gt; 0 towards the image's right).</summary>
        public float? GazeYawDeg;
        /// <summary>Degrees, −30..30, &gt; 0 looks down.</summary>
        public float? GazePitchDeg;
        /// <summary>Distance relative to the portrait's, 0.5..2.</summary>
        public float? HeadDistance;
        public FaceEmotion Emotion;
        /// <summary>0..1.</summary>
        public float? EmotionIntensity;
        /// <summary>Scale of head motion: 0 still, 1 natural, 2 very animated.</summary>
        public float? MotionIntensity;
        /// <summary>While listening: how closely the face follows the other party, 0..1 (default 0.8).</summary>
        public float? Attentiveness;
        /// <summary>While listening: how often it nods back at the other's phrase ends, 0 never .. 1 natural .. 2.</summary>
        public float? NodRate;
    }
}
