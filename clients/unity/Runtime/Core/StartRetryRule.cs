namespace Facecast.Core
{
    /// <summary>
    /// Which failed sessions may be started again. Behind a balancer (nginx, a Kubernetes gateway) a
    /// session start can meet a node that died, is draining or is full; started again, the balancer
    /// sends it to another node. A session that had started (SessionStarted arrived) is never started
    /// again: its audio is half sent and its frames half played, so its failure is reported.
    /// <para>
    /// A lost node reads as UNAVAILABLE on a direct or client-side balanced channel, and as INTERNAL
    /// through nginx, which resets the HTTP/2 stream when its upstream dies; a full node answers
    /// RESOURCE_EXHAUSTED. Codes are gRPC's numbers (Core does not reference Grpc.Core).
    /// </para>
    /// </summary>
    public static class StartRetryRule
    {
        public const int ResourceExhausted = 8;
        public const int Internal = 13;
        public const int Unavailable = 14;

        /// <summary>True when the node that held the call is gone or leaving.</summary>
        public static bool IsNodeLost(int statusCode)
        {
            return statusCode == Unavailable || statusCode == Internal;
        }

        /// <param name="statusCode">The gRPC status code the call ended with.</param>
        /// <param name="sessionStarted">Whether SessionStarted had arrived.</param>
        public static bool MayRetry(int statusCode, bool sessionStarted)
        {
            if (sessionStarted) return false;
            return IsNodeLost(statusCode) || statusCode == ResourceExhausted;
        }
    }
}
