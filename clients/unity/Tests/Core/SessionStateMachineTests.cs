using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class SessionStateMachineTests
    {
        [Test]
        public void AWholeSessionWalksTheHappyPath()
        {
            var machine = new SessionStateMachine();
            var seen = new List<string>();
            machine.Changed += (from, to) => seen.Add(from + ">" + to);
            Assert.IsFalse(machine.IsActive);
            machine.MoveTo(SessionState.Connecting);
            machine.MoveTo(SessionState.Configured);
            machine.MoveTo(SessionState.Streaming);
            Assert.IsTrue(machine.IsActive);
            machine.MoveTo(SessionState.Ending);
            machine.MoveTo(SessionState.Closed);
            Assert.IsFalse(machine.IsActive);
            CollectionAssert.AreEqual(new[] { "Idle>Connecting", "Connecting>Configured", "Configured>Streaming",
                                              "Streaming>Ending", "Ending>Closed" }, seen);
        }

        [Test]
        public void AnIllegalMoveThrowsNamingBothStates()
        {
            var machine = new SessionStateMachine();
            var error = Assert.Throws<InvalidOperationException>(() => machine.MoveTo(SessionState.Streaming));
            StringAssert.Contains("Idle", error.Message);
            StringAssert.Contains("Streaming", error.Message);
            Assert.AreEqual(SessionState.Idle, machine.State);
        }

        [Test]
        public void TryMoveToReportsInsteadOfThrowing()
        {
            var machine = new SessionStateMachine();
            machine.MoveTo(SessionState.Connecting);
            machine.MoveTo(SessionState.Closed);
            Assert.IsFalse(machine.TryMoveTo(SessionState.Failed), "a closed session cannot fail afterwards");
            Assert.AreEqual(SessionState.Closed, machine.State);
        }

        [Test]
        public void EndOfAudioMaySendBeforeTheHeaderArrives()
        {
            var machine = new SessionStateMachine();
            machine.MoveTo(SessionState.Connecting);
            machine.MoveTo(SessionState.Ending);
            machine.MoveTo(SessionState.Closed);
        }

        [Test]
        public void AFailedSessionCanRetryOrReset()
        {
            Assert.IsTrue(SessionStateMachine.IsAllowed(SessionState.Failed, SessionState.Connecting));
            Assert.IsTrue(SessionStateMachine.IsAllowed(SessionState.Failed, SessionState.Idle));
            Assert.IsTrue(SessionStateMachine.IsAllowed(SessionState.Closed, SessionState.Idle));
            Assert.IsFalse(SessionStateMachine.IsAllowed(SessionState.Closed, SessionState.Connecting));
        }

        [Test]
        public void EveryActiveStateCanFailOrClose()
        {
            foreach (SessionState state in new[] { SessionState.Connecting, SessionState.Configured, SessionState.Streaming, SessionState.Ending })
            {
                Assert.IsTrue(SessionStateMachine.IsAllowed(state, SessionState.Failed), state.ToString());
                Assert.IsTrue(SessionStateMachine.IsAllowed(state, SessionState.Closed), state.ToString());
            }
        }

        [Test]
        public void NoStateGoesBackwards()
        {
            Assert.IsFalse(SessionStateMachine.IsAllowed(SessionState.Streaming, SessionState.Configured));
            Assert.IsFalse(SessionStateMachine.IsAllowed(SessionState.Ending, SessionState.Streaming));
            Assert.IsFalse(SessionStateMachine.IsAllowed(SessionState.Configured, SessionState.Connecting));
            Assert.IsFalse(SessionStateMachine.IsAllowed(SessionState.Idle, SessionState.Closed));
        }
    }
}
