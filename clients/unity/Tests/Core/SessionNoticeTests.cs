using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class SessionNoticeTests
    {
        [Test]
        public void AFailureCarriesItsStatusAndWhetherToRetry()
        {
            SessionNotice failed = SessionNotice.Failed("Unavailable", "server draining", true);
            Assert.AreEqual(SessionNoticeKind.Failed, failed.Kind);
            Assert.IsTrue(failed.Retryable);
            Assert.AreEqual("Failed (Unavailable): server draining", failed.ToString());
        }

        [Test]
        public void StartedCarriesTheHeader()
        {
            var header = new SessionHeader("id", ArkitNames.Blendshapes, ArkitNames.Visemes, 30, 0.07, new ModelVersionInfo[0]);
            SessionNotice started = SessionNotice.Started(header);
            Assert.AreSame(header, started.Header);
            Assert.AreEqual("OK", started.StatusCode);
        }

        [Test]
        public void EventsSayWhenAndWhat()
        {
            Assert.AreEqual("SpeechEnd at 1.250 s", new SessionNotice(SessionNoticeKind.SpeechEnd, 1.25, null).ToString());
            Assert.AreEqual("Warning at 0.000 s: slow client", new SessionNotice(SessionNoticeKind.Warning, 0, "slow client").ToString());
        }
    }
}
