using System;

namespace Facecast.Core
{
    /// <summary>
    /// Holds the frames that arrived ahead of playback and samples them at the audio clock. The server
    /// never paces: frames come in bursts, ahead of or behind the audio, so an engine plays them against
    /// its own audio time (AudioSource.time, dspTime) and interpolates between the two frames around it.
    /// <para>
    /// A fixed ring of preallocated frames: adding copies into a slot, sampling writes into the
    /// caller's frame, so neither allocates. Main-thread only; network threads hand frames over through
    /// a <see cref="FrameHandoff"/>.
    /// </para>
    /// </summary>
    public sealed class JitterBuffer
    {
        private readonly MotionFrameData[] _slots;
        private int _start;
        private int _count;
        private long _lastIndex;

        public JitterBuffer(int capacity)
            : this(capacity, ArkitNames.BlendshapeCount, ArkitNames.VisemeCount)
        {
        }

        public JitterBuffer(int capacity, int blendshapeCount, int visemeCount)
        {
            if (capacity < 2) throw new ArgumentOutOfRangeException("capacity", "a jitter buffer needs at least 2 frames to interpolate");
            _slots = new MotionFrameData[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _slots[i] = new MotionFrameData(blendshapeCount, visemeCount);
            }
        }

        public int Capacity { get { return _slots.Length; } }
        public int Count { get { return _count; } }
        public bool IsFull { get { return _count == _slots.Length; } }

        /// <summary>Frames refused because their index was not after the last one added.</summary>
        public long DroppedOutOfOrder { get; private set; }

        /// <summary>Old frames pushed out because the buffer was full.</summary>
        public long DroppedOverflow { get; private set; }

        /// <summary>Time of the oldest held frame, or NaN when empty.</summary>
        public double FirstTimeS { get { return _count == 0 ? double.NaN : At(0).TimeS; } }

        /// <summary>Time of the newest held frame, or NaN when empty.</summary>
        public double LastTimeS { get { return _count == 0 ? double.NaN : At(_count - 1).TimeS; } }

        /// <summary>
        /// Copies the frame in. Frames must come in increasing index (and time); a duplicate or an
        /// out-of-order frame is dropped (false). When full, the oldest frame makes room.
        /// </summary>
        public bool Add(MotionFrameData frame)
        {
            if (frame == null) throw new ArgumentNullException("frame");
            if (_count > 0 && (frame.Index <= _lastIndex || frame.TimeS <= LastTimeS))
            {
                DroppedOutOfOrder++;
                return false;
            }
            if (_count == _slots.Length)
            {
                _start = (_start + 1) % _slots.Length;
                _count--;
                DroppedOverflow++;
            }
            _slots[(_start + _count) % _slots.Length].CopyFrom(frame);
            _count++;
            _lastIndex = frame.Index;
            return true;
        }

        /// <summary>
        /// Writes the motion at <paramref name="audioTimeS"/> into <paramref name="into"/>: linear
        /// interpolation between the frames around that time; before the first frame the first one
        /// holds, after the last the last one holds (a late network shows a frozen face, not a jump).
        /// False, and <paramref name="into"/> untouched, only when the buffer is empty.
        /// </summary>
        public bool TrySample(double audioTimeS, MotionFrameData into)
        {
            if (into == null) throw new ArgumentNullException("into");
            if (_count == 0) return false;
            MotionFrameData first = At(0);
            MotionFrameData last = At(_count - 1);
            if (audioTimeS <= first.TimeS)
            {
                into.CopyFrom(first);
            }
            else if (audioTimeS >= last.TimeS)
            {
                into.CopyFrom(last);
            }
            else
            {
                int before = LastAtOrBefore(audioTimeS);
                MotionFrameData a = At(before);
                MotionFrameData b = At(before + 1);
                into.SetInterpolated(a, b, (float)((audioTimeS - a.TimeS) / (b.TimeS - a.TimeS)));
            }
            into.TimeS = audioTimeS;
            return true;
        }

        /// <summary>
        /// Forgets the frames playback has passed, keeping the one at or before the time so sampling
        /// there still interpolates. Call after sampling; it frees room for the frames to come.
        /// </summary>
        public void DiscardBefore(double audioTimeS)
        {
            while (_count >= 2 && At(1).TimeS <= audioTimeS)
            {
                _start = (_start + 1) % _slots.Length;
                _count--;
            }
        }

        /// <summary>Empties the buffer for a new stream (whose indices start again from 0).</summary>
        public void Clear()
        {
            _start = 0;
            _count = 0;
            _lastIndex = 0;
        }

        private MotionFrameData At(int position)
        {
            return _slots[(_start + position) % _slots.Length];
        }

        // Binary search over the held frames, which are in increasing time; the caller guarantees
        // first.TimeS < t < last.TimeS, so the answer is in [0, count - 2].
        private int LastAtOrBefore(double t)
        {
            int low = 0;
            int high = _count - 1;
            while (high - low > 1)
            {
                int middle = (low + high) >> 1;
                if (At(middle).TimeS <= t) low = middle;
                else high = middle;
            }
            return low;
        }
    }
}
