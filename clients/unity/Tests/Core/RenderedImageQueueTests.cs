using NUnit.Framework;

namespace Facecast.Core.Tests
{
    [TestFixture]
    public class RenderedImageQueueTests
    {
        private static RenderedImage Image(long index)
        {
            return new RenderedImage(index, index / 25.0, ImageEncoding.Jpeg, 2, 2, new byte[] { 1 });
        }

        [Test]
        public void GivesTheNewestImageDueAndDropsTheOlderOnes()
        {
            var queue = new RenderedImageQueue(8);
            for (int i = 0; i < 5; i++) queue.Add(Image(i));
            Assert.IsNull(queue.TakeLatestDue(-0.01), "nothing is due before the first image");
            Assert.AreEqual(2, queue.TakeLatestDue(0.09).Index);
            Assert.IsNull(queue.TakeLatestDue(0.09), "an image is shown once");
            Assert.AreEqual(4, queue.TakeLatestDue(10).Index);
        }

        [Test]
        public void WhenFullTheOldestImageIsDropped()
        {
            var queue = new RenderedImageQueue(2);
            for (int i = 0; i < 5; i++) queue.Add(Image(i));
            Assert.AreEqual(3, queue.Dropped);
            Assert.AreEqual(3, queue.TakeLatestDue(0.12).Index);
            queue.Clear();
            Assert.IsNull(queue.TakeLatestDue(10));
        }
    }
}
