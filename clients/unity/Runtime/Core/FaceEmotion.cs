namespace Facecast.Core
{
    /// <summary>The contract's emotions (controls.proto Emotion), same numbers.</summary>
    public enum FaceEmotion
    {
        /// <summary>In a control update: keep the current emotion. At the start: neutral.</summary>
        Unchanged = 0,
        Neutral = 1,
        Happy = 2,
        Sad = 3,
        Angry = 4,
        Surprised = 5,
        Fearful = 6,
        Disgusted = 7,
        Contempt = 8,
    }
}
