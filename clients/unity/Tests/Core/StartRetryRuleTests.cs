using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class StartRetryRuleTests
    {
        [TestCase(14, TestName = "Unavailable (a direct channel to a lost or draining node)")]
        [TestCase(13, TestName = "Internal (nginx resets the stream of a lost node)")]
        [TestCase(8, TestName = "ResourceExhausted (a full node)")]
        public void AStartThatMetALostOrFullNodeIsRetried(int statusCode)
        {
            Assert.IsTrue(StartRetryRule.MayRetry(statusCode, sessionStarted: false));
        }

        [TestCase(14)]
        [TestCase(13)]
        [TestCase(8)]
        public void ASessionThatHadStartedIsNeverRetried(int statusCode)
        {
            Assert.IsFalse(StartRetryRule.MayRetry(statusCode, sessionStarted: true));
        }

        [TestCase(3, TestName = "InvalidArgument")]
        [TestCase(5, TestName = "NotFound")]
        [TestCase(9, TestName = "FailedPrecondition")]
        [TestCase(16, TestName = "Unauthenticated")]
        [TestCase(1, TestName = "Cancelled")]
        public void ARefusalThatAnotherNodeWouldRepeatIsNotRetried(int statusCode)
        {
            Assert.IsFalse(StartRetryRule.MayRetry(statusCode, sessionStarted: false));
        }

        [Test]
        public void OnlyUnavailableAndInternalMeanTheNodeIsLost()
        {
            Assert.IsTrue(StartRetryRule.IsNodeLost(14));
            Assert.IsTrue(StartRetryRule.IsNodeLost(13));
            Assert.IsFalse(StartRetryRule.IsNodeLost(8));
        }
    }
}
