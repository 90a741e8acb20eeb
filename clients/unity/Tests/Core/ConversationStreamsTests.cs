using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class ConversationStreamsTests
    {
        [Test]
        public void WhileTheFaceListensItsOwnStreamIsToppedUpWithSilence()
        {
            var streams = new ConversationStreams(16000);
            Assert.AreEqual(320, streams.ListenSent(320));
            streams.OwnSent(320);
            Assert.AreEqual(320, streams.ListenSent(320));
            streams.OwnSent(320);
            Assert.AreEqual(0.04, streams.ListenReachedS, 1e-12);
            Assert.AreEqual(streams.ListenSamples, streams.OwnSamples);
            Assert.IsFalse(streams.OwnAhead);
        }

        [Test]
        public void AVoiceLineStartsWhereTheOwnStreamStandsAndNeedsNoSilenceUntilTheMicrophoneCatchesUp()
        {
            var streams = new ConversationStreams(16000);
            streams.OwnSent(streams.ListenSent(1600));
            Assert.AreEqual(0.1, streams.NextLineStartS, 1e-12);
            streams.OwnSent(16000);                       // a one-second line, sent at once
            Assert.IsTrue(streams.OwnAhead);
            Assert.AreEqual(0, streams.ListenSent(8000));  // half of it heard: nothing to top up
            Assert.AreEqual(800, streams.ListenSent(8800)); // past its end: silence again
        }

        [Test]
        public void AnInterruptTakesTheOwnStreamBackToTheMicrophone()
        {
            var streams = new ConversationStreams(16000);
            streams.OwnSent(streams.ListenSent(16000));
            streams.OwnSent(48000);                       // a three-second line from 1 s
            streams.ListenSent(8000);                     // the player barges in at 1.5 s
            Assert.AreEqual(1.5, streams.Interrupt(), 1e-12);
            Assert.AreEqual(streams.ListenSamples, streams.OwnSamples);
            Assert.IsFalse(streams.OwnAhead);
        }

        [Test]
        public void AnInterruptWhileTheOwnStreamIsBehindLeavesItWhereItIs()
        {
            var streams = new ConversationStreams(16000);
            streams.ListenSent(3200);                     // not yet topped up
            Assert.AreEqual(0.0, streams.Interrupt(), 1e-12);
        }

        [Test]
        public void NegativeCountsAreRefused()
        {
            var streams = new ConversationStreams(16000);
            Assert.Throws<System.ArgumentOutOfRangeException>(() => streams.ListenSent(-1));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => streams.OwnSent(-1));
        }
    }
}
