using System;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class ReconnectPolicyTests
    {
        private static ReconnectPolicy Policy(int seed, double jitter = 0.5, int attempts = 5)
        {
            return new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 2.0, jitter, attempts, new Random(seed));
        }

        [Test]
        public void DelaysGrowExponentiallyUpToTheCap()
        {
            ReconnectPolicy policy = Policy(1, jitter: 0);
            double[] expected = { 1, 2, 4, 5, 5 };
            foreach (double seconds in expected)
            {
                TimeSpan delay;
                Assert.IsTrue(policy.TryNextDelay(out delay));
                Assert.AreEqual(seconds, delay.TotalSeconds, 1e-9);
            }
        }

        [Test]
        public void JitterStaysWithinItsFractionBelowNominal()
        {
            ReconnectPolicy policy = Policy(3, jitter: 0.5, attempts: 50);
            for (int attempt = 0; attempt < 50; attempt++)
            {
                TimeSpan nominal = policy.NominalDelay(attempt);
                TimeSpan delay;
                policy.TryNextDelay(out delay);
                Assert.LessOrEqual(delay.TotalSeconds, nominal.TotalSeconds + 1e-9);
                Assert.GreaterOrEqual(delay.TotalSeconds, nominal.TotalSeconds * 0.5 - 1e-9);
            }
        }

        [Test]
        public void TheSameSeedGivesTheSameDelays()
        {
            ReconnectPolicy first = Policy(42), second = Policy(42), other = Policy(43);
            TimeSpan a, b, c;
            bool differs = false;
            for (int i = 0; i < 5; i++)
            {
                first.TryNextDelay(out a);
                second.TryNextDelay(out b);
                other.TryNextDelay(out c);
                Assert.AreEqual(a, b);
                differs |= a != c;
            }
            Assert.IsTrue(differs, "another seed should give other delays");
        }

        [Test]
        public void GivesUpAfterMaxAttemptsAndStartsOverAfterSuccess()
        {
            ReconnectPolicy policy = Policy(1, attempts: 2);
            TimeSpan delay;
            Assert.IsTrue(policy.TryNextDelay(out delay));
            Assert.IsTrue(policy.TryNextDelay(out delay));
            Assert.IsFalse(policy.TryNextDelay(out delay));
            Assert.AreEqual(2, policy.Attempts);
            policy.Reset();
            Assert.AreEqual(0, policy.Attempts);
            Assert.IsTrue(policy.TryNextDelay(out delay));
            Assert.LessOrEqual(delay.TotalSeconds, 1.0, "after a success the back-off starts from the beginning");
        }

        [Test]
        public void BadSettingsAreRefused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectPolicy(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, 0.1, 3, new Random()));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 0.5, 0.1, 3, new Random()));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 2, 1.5, 3, new Random()));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 2, 0.1, -1, new Random()));
            Assert.Throws<ArgumentNullException>(() => new ReconnectPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 2, 0.1, 3, null));
        }
    }
}
