using System;

namespace Facecast.Core
{
    /// <summary>
    /// The two audio streams of a conversation on the session's one clock (animate.proto,
    /// AnimateRequest): each is a gapless run of samples from time 0, and the server emits frames
    /// only up to where both have reached. So the face's own stream must never fall behind the
    /// listen stream (the live microphone, which sets the pace): after every microphone block the
    /// own stream is topped up with silence, and a voice line is appended where the own stream stands
    /// — at or ahead of the microphone, never in its past. An interrupt takes the own stream back to
    /// where the microphone has reached: what was queued beyond it is dropped by the server.
    /// Counts samples at the session's one send rate; not thread-safe (the main thread owns it).
    /// </summary>
    public sealed class ConversationStreams
    {
        private readonly int _rateHz;

        public ConversationStreams(int sampleRateHz)
        {
            if (sampleRateHz <= 0) throw new ArgumentOutOfRangeException("sampleRateHz");
            _rateHz = sampleRateHz;
        }

        /// <summary>The session's send rate, Hz: both streams are sent at it.</summary>
        public int SampleRateHz { get { return _rateHz; } }

        /// <summary>Samples sent on the face's own stream (`audio`), silence included.</summary>
        public long OwnSamples { get; private set; }

        /// <summary>Samples sent on the listen stream (`listen_audio`).</summary>
        public long ListenSamples { get; private set; }

        public double OwnReachedS { get { return (double)OwnSamples / _rateHz; } }

        public double ListenReachedS { get { return (double)ListenSamples / _rateHz; } }

        /// <summary>True while own audio is queued ahead of the microphone: a voice line still to be heard.</summary>
        public bool OwnAhead { get { return OwnSamples > ListenSamples; } }

        /// <summary>Records <paramref name="count"/> listen samples sent; returns how many samples of
        /// silence the own stream needs now so that it has not fallen behind (0 while a line is queued ahead).</summary>
        public int ListenSent(int count)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            ListenSamples += count;
            return (int)Math.Max(0, ListenSamples - OwnSamples);
        }

        /// <summary>Records <paramref name="count"/> samples sent on the own stream (a line, or silence).</summary>
        public void OwnSent(int count)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            OwnSamples += count;
        }

        /// <summary>Where a voice line appended now starts on the session clock, seconds.</summary>
        public double NextLineStartS { get { return OwnReachedS; } }

        /// <summary>
        /// Barge-in now: the own stream goes back to where the listen stream has reached, or stays where
        /// it is if it is behind — exactly what the server makes of an Interrupt without at_s (it clamps
        /// the listen stream's reach into [where both have reached, where the own stream has reached]).
        /// Returns that time, seconds: the own stream continues from there.
        /// </summary>
        public double Interrupt()
        {
            OwnSamples = Math.Min(OwnSamples, ListenSamples);
            return OwnReachedS;
        }
    }
}
