using System.Collections.Generic;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    /// <summary>
    /// Plays the real server's conversation with a barge-in (tests/contract/conversation_barge_in.json)
    /// through the client's own path: every event as a <see cref="SessionNotice"/> into a
    /// <see cref="TurnTracker"/>, whose changes must be the turns Python read off the same events, and
    /// whose last interrupt must be where the server said it took effect.
    /// </summary>
    [TestFixture]
    public class ConversationVectorTests
    {
        private const string Name = "conversation_barge_in.json";

        private static SessionNoticeKind? KindOf(string wireName)
        {
            switch (wireName)
            {
                case "EVENT_TYPE_STATE_SPEAKING": return SessionNoticeKind.StateSpeaking;
                case "EVENT_TYPE_STATE_LISTENING": return SessionNoticeKind.StateListening;
                case "EVENT_TYPE_STATE_IDLE": return SessionNoticeKind.StateIdle;
                case "EVENT_TYPE_INTERRUPTED": return SessionNoticeKind.Interrupted;
                case "EVENT_TYPE_SPEECH_START": return SessionNoticeKind.SpeechStart;
                case "EVENT_TYPE_SPEECH_END": return SessionNoticeKind.SpeechEnd;
                case "EVENT_TYPE_END_OF_AUDIO": return SessionNoticeKind.EndOfAudio;
                default: return null;
            }
        }

        private static string StateName(TurnState state)
        {
            return state.ToString().ToLowerInvariant();
        }

        [Test]
        public void TheTrackerFollowsTheServersTurnsAndInterrupt()
        {
            JsonValue root = ContractFiles.Read(ContractFiles.Path(Name));
            Assert.AreEqual("facecast.contract-vector", root["format"].AsString());
            var tracker = new TurnTracker();
            var changes = new List<KeyValuePair<string, double>>();
            tracker.Changed += (from, to, timeS) => changes.Add(new KeyValuePair<string, double>(StateName(to), timeS));
            JsonValue events = root["events"];
            for (int i = 0; i < events.Count; i++)
            {
                SessionNoticeKind? kind = KindOf(events[i]["type"].AsString());
                Assert.IsTrue(kind.HasValue, "an event type the client does not know: " + events[i]["type"].AsString());
                tracker.Apply(new SessionNotice(kind.Value, events[i]["time_s"].AsNumber(), ""));
            }
            JsonValue expected = root["expected_turns"];
            // The tracker starts Idle, so a first "idle" turn is no change for it.
            var wanted = new List<KeyValuePair<string, double>>();
            for (int i = 0; i < expected.Count; i++)
            {
                string state = expected[i]["state"].AsString();
                if (wanted.Count == 0 && state == "idle") continue;
                wanted.Add(new KeyValuePair<string, double>(state, expected[i]["since_s"].AsNumber()));
            }
            Assert.AreEqual(wanted.Count, changes.Count, "turn changes");
            for (int i = 0; i < wanted.Count; i++)
            {
                Assert.AreEqual(wanted[i].Key, changes[i].Key, "turn {0}", i);
                Assert.AreEqual(wanted[i].Value, changes[i].Value, 1e-9, "turn {0} time", i);
            }
            Assert.AreEqual(root["expected_interrupt_s"].AsNumber(), tracker.LastInterruptS, 1e-9);
        }

        [Test]
        public void TheMouthIsShutInEveryFrameAfterTheInterrupt()
        {
            JsonValue root = ContractFiles.Read(ContractFiles.Path(Name));
            int blendshapes = root["blendshape_names"].Count;
            int jaw = -1;
            for (int i = 0; i < blendshapes; i++)
            {
                if (root["blendshape_names"][i].AsString() == "jawOpen") jaw = i;
            }
            Assert.GreaterOrEqual(jaw, 0, "no jawOpen in the header");
            List<MotionFrameData> frames = MotionClipReader.ReadFrames(root["frames"], blendshapes, root["viseme_names"].Count);
            double shutFrom = root["mouth_shut_from_s"].AsNumber();
            int checkedFrames = 0;
            foreach (MotionFrameData frame in frames)
            {
                if (frame.TimeS < shutFrom) continue;
                Assert.Less(frame.Blendshapes[jaw], 0.05f, "jawOpen at {0} s", frame.TimeS);
                checkedFrames++;
            }
            Assert.Greater(checkedFrames, 10);
        }
    }
}
