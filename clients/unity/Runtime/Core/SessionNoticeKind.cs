namespace Facecast.Core
{
    /// <summary>What a <see cref="SessionNotice"/> reports.</summary>
    public enum SessionNoticeKind
    {
        /// <summary>The header arrived (<see cref="SessionNotice.Header"/>).</summary>
        Started = 0,
        /// <summary>Voice activity began at TimeS.</summary>
        SpeechStart = 1,
        /// <summary>Voice activity ended at TimeS (known up to 250 ms late).</summary>
        SpeechEnd = 2,
        /// <summary>All audio processed; TimeS is its duration. The last frame has been sent.</summary>
        EndOfAudio = 3,
        /// <summary>A non-fatal problem; see Message.</summary>
        Warning = 4,
        /// <summary>The session ended normally (the final status, code 0).</summary>
        Completed = 5,
        /// <summary>The call ended with an error; StatusCode, Message and Retryable say which.</summary>
        Failed = 6,
    }
}
