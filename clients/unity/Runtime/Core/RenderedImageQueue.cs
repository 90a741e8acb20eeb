using System;

namespace Facecast.Core
{
    /// <summary>
    /// Hands rendered frames from the network thread to the main thread, which shows the newest one
    /// due at its audio time. Bounded: when full, the oldest image is dropped (a displayed portrait
    /// only ever needs the latest; a slow game must not pile up megabytes of frames).
    /// </summary>
    public sealed class RenderedImageQueue
    {
        private readonly RenderedImage[] _ring;
        private readonly object _lock = new object();
        private int _head;
        private int _count;

        public RenderedImageQueue(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity");
            _ring = new RenderedImage[capacity];
        }

        /// <summary>Images pushed out because the queue was full.</summary>
        public long Dropped { get; private set; }

        /// <summary>Producer: adds an image in time order.</summary>
        public void Add(RenderedImage image)
        {
            if (image == null) throw new ArgumentNullException("image");
            lock (_lock)
            {
                if (_count == _ring.Length)
                {
                    _ring[_head] = null;
                    _head = (_head + 1) % _ring.Length;
                    _count--;
                    Dropped++;
                }
                _ring[(_head + _count) % _ring.Length] = image;
                _count++;
            }
        }

        /// <summary>
        /// Consumer: the newest image with TimeS ≤ <paramref name="audioTimeS"/>, removing it and the
        /// older ones; null when none is due yet.
        /// </summary>
        public RenderedImage TakeLatestDue(double audioTimeS)
        {
            lock (_lock)
            {
                RenderedImage latest = null;
                while (_count > 0 && _ring[_head].TimeS <= audioTimeS)
                {
                    latest = _ring[_head];
                    _ring[_head] = null;
                    _head = (_head + 1) % _ring.Length;
                    _count--;
                }
                return latest;
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                System.Array.Clear(_ring, 0, _ring.Length);
                _head = 0;
                _count = 0;
            }
        }
    }
}
