using System;

namespace Facecast.Core
{
    /// <summary>
    /// When to try connecting again after a failure: exponential back-off with jitter, up to a number
    /// of attempts, starting over after a success. The jitter keeps many clients that lost the same
    /// server from coming back in lockstep. The Random is injected so tests (and replays) are
    /// deterministic. Not thread-safe: one owner.
    /// </summary>
    public sealed class ReconnectPolicy
    {
        private readonly TimeSpan _initialDelay;
        private readonly TimeSpan _maxDelay;
        private readonly double _multiplier;
        private readonly double _jitter;
        private readonly int _maxAttempts;
        private readonly Random _random;

        /// <param name="initialDelay">The nominal delay before the first retry.</param>
        /// <param name="maxDelay">The cap of the nominal delay.</param>
        /// <param name="multiplier">Growth per attempt, ≥ 1.</param>
        /// <param name="jitter">Fraction in [0, 1]: the actual delay is the nominal one times a uniform
        /// factor in [1 − jitter, 1], so it never exceeds the cap.</param>
        /// <param name="maxAttempts">Retries allowed before giving up, ≥ 0.</param>
        /// <param name="random">The source of the jitter; seed it for reproducible delays.</param>
        public ReconnectPolicy(TimeSpan initialDelay, TimeSpan maxDelay, double multiplier, double jitter,
                               int maxAttempts, Random random)
        {
            if (initialDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException("initialDelay", "must not be negative");
            if (maxDelay < initialDelay) throw new ArgumentOutOfRangeException("maxDelay", "must be at least initialDelay");
            if (multiplier < 1.0) throw new ArgumentOutOfRangeException("multiplier", "must be at least 1");
            if (jitter < 0.0 || jitter > 1.0) throw new ArgumentOutOfRangeException("jitter", "must be in [0, 1]");
            if (maxAttempts < 0) throw new ArgumentOutOfRangeException("maxAttempts", "must not be negative");
            if (random == null) throw new ArgumentNullException("random");
            _initialDelay = initialDelay;
            _maxDelay = maxDelay;
            _multiplier = multiplier;
            _jitter = jitter;
            _maxAttempts = maxAttempts;
            _random = random;
        }

        /// <summary>0.5 s, doubling up to 10 s, up to 30 % below nominal, 6 attempts.</summary>
        public static ReconnectPolicy Default(Random random)
        {
            return new ReconnectPolicy(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10), 2.0, 0.3, 6, random);
        }

        /// <summary>Retries taken since the last success.</summary>
        public int Attempts { get; private set; }

        public int MaxAttempts { get { return _maxAttempts; } }

        /// <summary>The nominal (jitter-free) delay before retry number <paramref name="attempt"/> (0-based).</summary>
        public TimeSpan NominalDelay(int attempt)
        {
            double seconds = _initialDelay.TotalSeconds * Math.Pow(_multiplier, attempt);
            return TimeSpan.FromSeconds(Math.Min(seconds, _maxDelay.TotalSeconds));
        }

        /// <summary>
        /// After a failure: the delay before the next try, counting the attempt; false when the attempts
        /// are used up (give up and tell the user).
        /// </summary>
        public bool TryNextDelay(out TimeSpan delay)
        {
            if (Attempts >= _maxAttempts)
            {
                delay = TimeSpan.Zero;
                return false;
            }
            double factor = 1.0 - _jitter * _random.NextDouble();
            delay = TimeSpan.FromSeconds(NominalDelay(Attempts).TotalSeconds * factor);
            Attempts++;
            return true;
        }

        /// <summary>After a success (the server answered): the next failure starts from the initial delay.</summary>
        public void Reset()
        {
            Attempts = 0;
        }
    }
}
