using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class TurnTrackerTests
    {
        [Test]
        public void StateEventsMoveTheTurnWithTheirAudioTime()
        {
            var tracker = new TurnTracker();
            var seen = new List<string>();
            tracker.Changed += (from, to, time) => seen.Add(string.Format("{0}>{1}@{2:0.00}", from, to, time));
            Assert.AreEqual(TurnState.Idle, tracker.State);
            Assert.IsTrue(tracker.Apply(new SessionNotice(SessionNoticeKind.StateListening, 0.5, null)));
            Assert.IsTrue(tracker.Apply(new SessionNotice(SessionNoticeKind.StateSpeaking, 3.25, null)));
            Assert.IsFalse(tracker.Apply(new SessionNotice(SessionNoticeKind.StateSpeaking, 3.5, null)));
            Assert.IsTrue(tracker.Apply(new SessionNotice(SessionNoticeKind.StateIdle, 6.0, null)));
            Assert.AreEqual(6.0, tracker.SinceS);
            CollectionAssert.AreEqual(new[] { "Idle>Listening@0.50", "Listening>Speaking@3.25", "Speaking>Idle@6.00" }, seen);
        }

        [Test]
        public void AnInterruptIsRememberedAndOtherNoticesAreIgnored()
        {
            var tracker = new TurnTracker();
            Assert.IsNaN(tracker.LastInterruptS);
            Assert.IsFalse(tracker.Apply(new SessionNotice(SessionNoticeKind.Interrupted, 1.0, null)));
            Assert.IsFalse(tracker.Apply(new SessionNotice(SessionNoticeKind.SpeechStart, 1.2, null)));
            Assert.AreEqual(1.0, tracker.LastInterruptS);
            Assert.AreEqual(TurnState.Idle, tracker.State);
            tracker.Apply(new SessionNotice(SessionNoticeKind.StateListening, 1.0, null));
            tracker.Reset();
            Assert.AreEqual(TurnState.Idle, tracker.State);
            Assert.IsNaN(tracker.LastInterruptS);
        }
    }
}
