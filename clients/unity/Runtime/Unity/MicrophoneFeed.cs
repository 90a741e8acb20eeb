using System;
using UnityEngine;

namespace Facecast.Unity
{
    /// <summary>
    /// Reads a live microphone in fixed 20 ms blocks from Unity's looping recording clip, handling the
    /// wrap-around, into one preallocated buffer — nothing allocated per frame. Counts the samples
    /// captured, which is the live session's audio clock.
    /// </summary>
    internal sealed class MicrophoneFeed
    {
        private const int LoopSeconds = 1;
        private const int BlockMs = 20;

        private readonly string _device;
        private readonly AudioClip _clip;
        private readonly float[] _block;
        private readonly int _blockFrames;
        private int _readPosition;

        public MicrophoneFeed(string device, int rateHz)
        {
            _device = string.IsNullOrEmpty(device) ? null : device;   // null: the default microphone
            if (Microphone.devices.Length == 0) throw new InvalidOperationException("no microphone found");
            _clip = Microphone.Start(_device, true, LoopSeconds, rateHz);
            if (_clip == null) throw new InvalidOperationException("the microphone did not start");
            _blockFrames = Math.Max(1, _clip.frequency * BlockMs / 1000);
            _block = new float[_blockFrames * _clip.channels];
        }

        public int RateHz { get { return _clip.frequency; } }
        public int Channels { get { return _clip.channels; } }

        /// <summary>Sample frames delivered so far: the audio time of the stream is this / RateHz.</summary>
        public long FramesRead { get; private set; }

        /// <summary>Hands every whole block recorded since the last call to <paramref name="consume"/>(buffer, frames).</summary>
        public void Read(Action<float[], int> consume)
        {
            int position = Microphone.GetPosition(_device);
            int available = position - _readPosition;
            if (available < 0) available += _clip.samples;
            while (available >= _blockFrames)
            {
                // GetData wraps around the end of a looping clip by itself.
                _clip.GetData(_block, _readPosition);
                consume(_block, _blockFrames);
                _readPosition = (_readPosition + _blockFrames) % _clip.samples;
                available -= _blockFrames;
                FramesRead += _blockFrames;
            }
        }

        public void Stop()
        {
            Microphone.End(_device);
            UnityEngine.Object.Destroy(_clip);
        }
    }
}
