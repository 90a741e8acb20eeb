using System;
using System.Threading;
using System.Threading.Tasks;

namespace Facecast.Core
{
    /// <summary>
    /// Carries frames from the network thread that reads the stream to the main thread that plays
    /// them. A bounded ring of preallocated frames behind a lock: the producer waits (asynchronously)
    /// for room, so a game that falls behind stops reading the stream and gRPC's flow control slows
    /// the server down, instead of a queue growing without bound. One producer, one consumer.
    /// Nothing to dispose: the semaphore's wait handle is never created.
    /// </summary>
    public sealed class FrameHandoff
    {
        private readonly MotionFrameData[] _ring;
        private readonly object _lock = new object();
        private readonly SemaphoreSlim _space;
        private int _head;
        private int _count;

        public FrameHandoff(int capacity)
            : this(capacity, ArkitNames.BlendshapeCount, ArkitNames.VisemeCount)
        {
        }

        public FrameHandoff(int capacity, int blendshapeCount, int visemeCount)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity");
            _ring = new MotionFrameData[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _ring[i] = new MotionFrameData(blendshapeCount, visemeCount);
            }
            _space = new SemaphoreSlim(capacity, capacity);
        }

        public int Capacity { get { return _ring.Length; } }

        public int Count
        {
            get { lock (_lock) { return _count; } }
        }

        /// <summary>Producer: copies the frame in, waiting for room; cancellable.</summary>
        public async Task PublishAsync(MotionFrameData frame, CancellationToken cancellation)
        {
            if (frame == null) throw new ArgumentNullException("frame");
            await _space.WaitAsync(cancellation).ConfigureAwait(false);
            Commit(frame);
        }

        /// <summary>Producer: copies the frame in if there is room now; false when full.</summary>
        public bool TryPublish(MotionFrameData frame)
        {
            if (frame == null) throw new ArgumentNullException("frame");
            if (!_space.Wait(0)) return false;
            Commit(frame);
            return true;
        }

        /// <summary>Consumer: copies the oldest frame out into <paramref name="into"/>; false when empty.</summary>
        public bool TryTake(MotionFrameData into)
        {
            if (into == null) throw new ArgumentNullException("into");
            lock (_lock)
            {
                if (_count == 0) return false;
                into.CopyFrom(_ring[_head]);
                _head = (_head + 1) % _ring.Length;
                _count--;
            }
            _space.Release();
            return true;
        }

        /// <summary>Consumer: drops every pending frame (a new stream starts).</summary>
        public void Clear()
        {
            int dropped;
            lock (_lock)
            {
                dropped = _count;
                _head = 0;
                _count = 0;
            }
            if (dropped > 0) _space.Release(dropped);
        }

        // The copy runs under the lock: the consumer must never see a half-written slot, and Clear
        // may move the head at any time. 80 floats: far shorter than any wait it could cause.
        private void Commit(MotionFrameData frame)
        {
            lock (_lock)
            {
                _ring[(_head + _count) % _ring.Length].CopyFrom(frame);
                _count++;
            }
        }
    }
}
