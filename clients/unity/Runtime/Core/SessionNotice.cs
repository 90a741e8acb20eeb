namespace Facecast.Core
{
    /// <summary>
    /// Everything of a session that is not a frame: its header, the in-band events, the end. Rare
    /// (a handful per session), so a small class per notice is fine; frames go through the
    /// allocation-free <see cref="FrameHandoff"/> instead.
    /// </summary>
    public sealed class SessionNotice
    {
        public SessionNotice(SessionNoticeKind kind, double timeS, string message)
        {
            Kind = kind;
            TimeS = timeS;
            Message = message ?? "";
            StatusCode = "OK";
        }

        public SessionNoticeKind Kind { get; private set; }
        /// <summary>Audio-clock time the notice refers to, seconds (0 where none applies).</summary>
        public double TimeS { get; private set; }
        public string Message { get; private set; }
        /// <summary>Set for <see cref="SessionNoticeKind.Started"/>.</summary>
        public SessionHeader Header { get; private set; }
        /// <summary>The gRPC status code name for <see cref="SessionNoticeKind.Failed"/> ("Unavailable" ...).</summary>
        public string StatusCode { get; private set; }
        /// <summary>True when the server never started the session and its node was lost, draining or full:
        /// starting it again (a balancer picks another node) may succeed. See <see cref="StartRetryRule"/>.</summary>
        public bool Retryable { get; private set; }

        public static SessionNotice Started(SessionHeader header)
        {
            return new SessionNotice(SessionNoticeKind.Started, 0, "") { Header = header };
        }

        public static SessionNotice Failed(string statusCode, string message, bool retryable)
        {
            return new SessionNotice(SessionNoticeKind.Failed, 0, message) { StatusCode = statusCode, Retryable = retryable };
        }

        public override string ToString()
        {
            if (Kind == SessionNoticeKind.Failed) return string.Format("Failed ({0}): {1}", StatusCode, Message);
            return string.Format("{0} at {1:0.000} s{2}", Kind, TimeS, Message.Length > 0 ? ": " + Message : "");
        }
    }
}
