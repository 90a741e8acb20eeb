using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class FrameHandoffTests
    {
        [Test]
        public void FramesComeOutInOrder()
        {
            var handoff = new FrameHandoff(4);
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(0, 25, 0.1f)));
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(1, 25, 0.2f)));
            var into = new MotionFrameData();
            Assert.IsTrue(handoff.TryTake(into));
            Assert.AreEqual(0, into.Index);
            Assert.IsTrue(handoff.TryTake(into));
            Assert.AreEqual(0.2f, into.Blendshapes[5]);
            Assert.IsFalse(handoff.TryTake(into));
        }

        [Test]
        public void AFullHandoffRefusesUntilTheConsumerTakesOne()
        {
            var handoff = new FrameHandoff(2);
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(0, 25, 0f)));
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(1, 25, 0f)));
            Assert.IsFalse(handoff.TryPublish(Frames.Uniform(2, 25, 0f)));
            handoff.TryTake(new MotionFrameData());
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(2, 25, 0f)));
        }

        [Test]
        public void PublishAsyncWaitsForRoomSoTheNetworkFeelsBackPressure()
        {
            var handoff = new FrameHandoff(1);
            handoff.TryPublish(Frames.Uniform(0, 25, 0f));
            Task waiting = handoff.PublishAsync(Frames.Uniform(1, 25, 0f), CancellationToken.None);
            Thread.Sleep(50);
            Assert.IsFalse(waiting.IsCompleted, "the producer must wait while the handoff is full");
            handoff.TryTake(new MotionFrameData());
            Assert.IsTrue(waiting.Wait(5000));
            var into = new MotionFrameData();
            Assert.IsTrue(handoff.TryTake(into));
            Assert.AreEqual(1, into.Index);
        }

        [Test]
        public void AWaitingPublishCanBeCancelled()
        {
            var handoff = new FrameHandoff(1);
            using (var cancel = new CancellationTokenSource())
            {
                handoff.TryPublish(Frames.Uniform(0, 25, 0f));
                Task waiting = handoff.PublishAsync(Frames.Uniform(1, 25, 0f), cancel.Token);
                cancel.Cancel();
                Assert.Throws<AggregateException>(() => waiting.Wait(5000));
                Assert.IsTrue(waiting.IsCanceled);
            }
        }

        [Test]
        public void ClearDropsPendingFramesAndFreesTheirRoom()
        {
            var handoff = new FrameHandoff(2);
            handoff.TryPublish(Frames.Uniform(0, 25, 0f));
            handoff.TryPublish(Frames.Uniform(1, 25, 0f));
            handoff.Clear();
            Assert.AreEqual(0, handoff.Count);
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(0, 25, 0f)));
            Assert.IsTrue(handoff.TryPublish(Frames.Uniform(1, 25, 0f)));
        }

        [Test]
        public void AProducerThreadAndAConsumerThreadPassEveryFrameInOrder()
        {
            const int count = 2000;
            var handoff = new FrameHandoff(8);
            Task producer = Task.Run(async () =>
            {
                var frame = new MotionFrameData();
                for (int i = 0; i < count; i++)
                {
                    frame.Index = i;
                    frame.TimeS = i / 25.0;
                    frame.Blendshapes[17] = i;
                    await handoff.PublishAsync(frame, CancellationToken.None);
                }
            });
            var into = new MotionFrameData();
            int expected = 0;
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (expected < count && deadline.ElapsedMilliseconds < 20000)
            {
                if (!handoff.TryTake(into)) continue;
                Assert.AreEqual(expected, into.Index);
                Assert.AreEqual((float)expected, into.Blendshapes[17]);
                expected++;
            }
            Assert.AreEqual(count, expected);
            Assert.IsTrue(producer.Wait(5000));
        }
    }
}
