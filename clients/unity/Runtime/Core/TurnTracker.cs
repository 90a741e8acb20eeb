using System;

namespace Facecast.Core
{
    /// <summary>
    /// Follows a conversation's turn state from the server's notices (StateSpeaking, StateListening,
    /// StateIdle), with the audio time of each change, so game code can ask "is the NPC listening?"
    /// or react to the change. The server decides; this only keeps the latest answer. Notices of
    /// other kinds are ignored. Not thread-safe: feed it on the main thread.
    /// </summary>
    public sealed class TurnTracker
    {
        /// <summary>(from, to, audio time of the change in seconds), after every change.</summary>
        public event Action<TurnState, TurnState, double> Changed;

        public TurnState State { get; private set; }

        /// <summary>Audio-clock time at which <see cref="State"/> began, seconds.</summary>
        public double SinceS { get; private set; }

        /// <summary>Where the last interrupt took effect, seconds; NaN before any.</summary>
        public double LastInterruptS { get; private set; } = double.NaN;

        /// <summary>Takes in a notice; true when it changed the state.</summary>
        public bool Apply(SessionNotice notice)
        {
            if (notice == null) throw new ArgumentNullException("notice");
            TurnState to;
            switch (notice.Kind)
            {
                case SessionNoticeKind.StateSpeaking: to = TurnState.Speaking; break;
                case SessionNoticeKind.StateListening: to = TurnState.Listening; break;
                case SessionNoticeKind.StateIdle: to = TurnState.Idle; break;
                case SessionNoticeKind.Interrupted:
                    LastInterruptS = notice.TimeS;
                    return false;
                default: return false;
            }
            if (to == State) return false;
            TurnState from = State;
            State = to;
            SinceS = notice.TimeS;
            Action<TurnState, TurnState, double> changed = Changed;
            if (changed != null) changed(from, to, notice.TimeS);
            return true;
        }

        /// <summary>Back to Idle at time 0, for the next session.</summary>
        public void Reset()
        {
            State = TurnState.Idle;
            SinceS = 0;
            LastInterruptS = double.NaN;
        }
    }
}
