namespace Facecast.Core
{
    /// <summary>Where one Animate session stands, from the client's side.</summary>
    public enum SessionState
    {
        /// <summary>Nothing started yet.</summary>
        Idle = 0,
        /// <summary>The call is open and the SessionConfig sent; waiting for SessionStarted.</summary>
        Connecting = 1,
        /// <summary>SessionStarted arrived: the header (names, fps, look-ahead) is known.</summary>
        Configured = 2,
        /// <summary>Motion frames are arriving.</summary>
        Streaming = 3,
        /// <summary>EndOfAudio sent; the last frames and the final status are still to come.</summary>
        Ending = 4,
        /// <summary>The call ended normally, or the client cancelled it.</summary>
        Closed = 5,
        /// <summary>The call ended with an error status.</summary>
        Failed = 6,
    }
}
