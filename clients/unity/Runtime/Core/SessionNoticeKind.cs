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
        /// <summary>Conversation: the face took its turn at TimeS (its own voice began).</summary>
        StateSpeaking = 7,
        /// <summary>Conversation: the face began listening to the other party at TimeS.</summary>
        StateListening = 8,
        /// <summary>Conversation: nobody has spoken for a while; the face idles from TimeS.</summary>
        StateIdle = 9,
        /// <summary>Conversation: an Interrupt took effect at TimeS; the face's own audio continues from there.</summary>
        Interrupted = 10,
    }
}
