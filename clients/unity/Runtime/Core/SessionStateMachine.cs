using System;

namespace Facecast.Core
{
    /// <summary>
    /// The states of a session and the only moves between them:
    /// <code>
    /// Idle → Connecting → Configured → Streaming → Ending → Closed
    ///             │            │   └──────────────→ Ending
    ///             └────────────┴─→ Ending (EndOfAudio sent before the header or the first frame)
    /// any active state → Failed | Closed;   Closed | Failed → Idle (reuse);   Failed → Connecting (retry)
    /// </code>
    /// An illegal move throws, naming both states: it is a bug in the caller, not a network condition.
    /// Thread-safe: the network thread and the main thread both move it. <see cref="Changed"/> runs
    /// on the thread that made the move, outside the lock.
    /// </summary>
    public sealed class SessionStateMachine
    {
        private readonly object _lock = new object();
        private SessionState _state = SessionState.Idle;

        /// <summary>(from, to) after every move, on the moving thread.</summary>
        public event Action<SessionState, SessionState> Changed;

        public SessionState State
        {
            get { lock (_lock) { return _state; } }
        }

        /// <summary>True from Connecting until Closed or Failed.</summary>
        public bool IsActive
        {
            get
            {
                SessionState state = State;
                return state != SessionState.Idle && state != SessionState.Closed && state != SessionState.Failed;
            }
        }

        public static bool IsAllowed(SessionState from, SessionState to)
        {
            switch (from)
            {
                case SessionState.Idle:
                    return to == SessionState.Connecting;
                case SessionState.Connecting:
                    return to == SessionState.Configured || to == SessionState.Ending || Ends(to);
                case SessionState.Configured:
                    return to == SessionState.Streaming || to == SessionState.Ending || Ends(to);
                case SessionState.Streaming:
                    return to == SessionState.Ending || Ends(to);
                case SessionState.Ending:
                    return Ends(to);
                case SessionState.Closed:
                    return to == SessionState.Idle;
                case SessionState.Failed:
                    return to == SessionState.Idle || to == SessionState.Connecting;
                default:
                    return false;
            }
        }

        /// <summary>Moves to <paramref name="to"/>; throws InvalidOperationException if not allowed.</summary>
        public void MoveTo(SessionState to)
        {
            SessionState from;
            if (!TryMove(to, out from))
            {
                throw new InvalidOperationException(string.Format("session state cannot go from {0} to {1}", from, to));
            }
        }

        /// <summary>Moves if allowed; false (and no change) otherwise. For races that are expected, e.g.
        /// a cancel arriving as the stream closes.</summary>
        public bool TryMoveTo(SessionState to)
        {
            SessionState from;
            return TryMove(to, out from);
        }

        private bool TryMove(SessionState to, out SessionState from)
        {
            lock (_lock)
            {
                from = _state;
                if (!IsAllowed(from, to)) return false;
                _state = to;
            }
            Action<SessionState, SessionState> changed = Changed;
            if (changed != null) changed(from, to);
            return true;
        }

        private static bool Ends(SessionState to)
        {
            return to == SessionState.Closed || to == SessionState.Failed;
        }
    }
}
