using System;

namespace Facecast.Core
{
    /// <summary>
    /// Turns an engine's float audio (any rate, any channel count, interleaved) into the stream's
    /// audio: mono PCM16 little-endian at a target rate, in chunks of a fixed duration (20 ms by
    /// default, what a microphone delivers and what the reference client sends).
    /// <para>
    /// Resampling is linear interpolation. The output position is kept as an exact fraction
    /// (source samples + remainder / target rate), and the last input sample is carried over, so the
    /// output does not depend on how the input was cut into calls, and does not drift over hours.
    /// The server resamples again to its model rate; linear is enough for a speech front end at 16 kHz.
    /// </para>
    /// <para>
    /// Chunks are written into one reusable buffer and handed to the callback, valid only during the
    /// call (copy it, e.g. into a ByteString). Not thread-safe: one producer.
    /// </para>
    /// </summary>
    public sealed class PcmChunker
    {
        public const int MinRateHz = 8000;   // the contract's accepted range
        public const int MaxRateHz = 48000;

        private readonly int _sourceRateHz;
        private readonly int _channels;
        private readonly int _targetRateHz;
        private readonly Action<byte[], int> _onChunk;
        private readonly byte[] _chunk;
        private int _chunkBytes;

        private long _inputCount;      // source samples (per channel) consumed so far
        private float _previous;       // the last of them, mono
        private long _outputWhole;     // next output position = _outputWhole + _outputFraction / target rate
        private long _outputFraction;  // in [0, target rate)

        /// <param name="sourceRateHz">The engine's rate (AudioClip.frequency, AudioSettings.outputSampleRate).</param>
        /// <param name="channels">Interleaved channels in the input; they are averaged to mono.</param>
        /// <param name="targetRateHz">The rate sent to the server, 8000..48000 (16000 is plenty for speech).</param>
        /// <param name="chunkMs">Chunk duration; the sample count is rounded to the nearest whole sample.</param>
        /// <param name="onChunk">Gets (buffer, byte count) for each chunk; the buffer is reused.</param>
        public PcmChunker(int sourceRateHz, int channels, int targetRateHz, int chunkMs, Action<byte[], int> onChunk)
        {
            if (sourceRateHz <= 0) throw new ArgumentOutOfRangeException("sourceRateHz", "must be positive");
            if (channels < 1) throw new ArgumentOutOfRangeException("channels", "must be at least 1");
            if (targetRateHz < MinRateHz || targetRateHz > MaxRateHz)
            {
                throw new ArgumentOutOfRangeException("targetRateHz", "must be 8000..48000 Hz (the contract's range)");
            }
            if (chunkMs < 1) throw new ArgumentOutOfRangeException("chunkMs", "must be at least 1 ms");
            if (onChunk == null) throw new ArgumentNullException("onChunk");
            _sourceRateHz = sourceRateHz;
            _channels = channels;
            _targetRateHz = targetRateHz;
            _onChunk = onChunk;
            SamplesPerChunk = Math.Max(1, (int)Math.Round(targetRateHz * chunkMs / 1000.0));
            _chunk = new byte[SamplesPerChunk * 2];
        }

        public int SamplesPerChunk { get; private set; }

        public int TargetRateHz { get { return _targetRateHz; } }

        /// <summary>Output samples produced so far (sent or still in the partial chunk).</summary>
        public long SamplesOut { get; private set; }

        /// <summary>Adds <paramref name="frameCount"/> sample frames (each <c>channels</c> floats) from <paramref name="offset"/>.</summary>
        public void Push(float[] interleaved, int offset, int frameCount)
        {
            if (interleaved == null) throw new ArgumentNullException("interleaved");
            if (offset < 0 || frameCount < 0 || offset + (long)frameCount * _channels > interleaved.Length)
            {
                throw new ArgumentOutOfRangeException("frameCount", "offset and frame count exceed the array");
            }
            for (int frame = 0; frame < frameCount; frame++)
            {
                float sample = Mono(interleaved, offset + frame * _channels);
                long index = _inputCount;
                // Every output position in [index − 1, index) lies between the previous sample and this one.
                while (index > 0 && _outputWhole == index - 1)
                {
                    Emit(_previous + (sample - _previous) * ((float)_outputFraction / _targetRateHz));
                    Advance();
                }
                _previous = sample;
                _inputCount = index + 1;
            }
        }

        /// <summary>
        /// The end of the audio: emits an output that falls exactly on the last input sample, then
        /// the partial last chunk (shorter than the others; the server takes any size).
        /// </summary>
        public void Flush()
        {
            if (_inputCount > 0 && _outputWhole == _inputCount - 1 && _outputFraction == 0)
            {
                Emit(_previous);
                Advance();
            }
            if (_chunkBytes > 0)
            {
                _onChunk(_chunk, _chunkBytes);
                _chunkBytes = 0;
            }
        }

        /// <summary>Forgets all state: the next sample starts a new stream.</summary>
        public void Reset()
        {
            _inputCount = 0;
            _previous = 0;
            _outputWhole = 0;
            _outputFraction = 0;
            _chunkBytes = 0;
            SamplesOut = 0;
        }

        /// <summary>
        /// A float in [−1, 1] as PCM16: round(x · 32768), clipped, the server's own convention
        /// (runtime.audio.pcm.encode_pcm16), so a round trip is exact.
        /// </summary>
        public static short ToPcm16(float sample)
        {
            double scaled = Math.Round(sample * 32768.0);
            if (scaled > short.MaxValue) return short.MaxValue;
            if (scaled < short.MinValue) return short.MinValue;
            if (double.IsNaN(scaled)) return 0;
            return (short)scaled;
        }

        private float Mono(float[] interleaved, int start)
        {
            if (_channels == 1) return interleaved[start];
            float sum = 0;
            for (int channel = 0; channel < _channels; channel++)
            {
                sum += interleaved[start + channel];
            }
            return sum / _channels;
        }

        private void Advance()
        {
            _outputFraction += _sourceRateHz;
            _outputWhole += _outputFraction / _targetRateHz;
            _outputFraction %= _targetRateHz;
        }

        private void Emit(float sample)
        {
            short value = ToPcm16(sample);
            _chunk[_chunkBytes] = (byte)(value & 0xFF);          // little-endian
            _chunk[_chunkBytes + 1] = (byte)((value >> 8) & 0xFF);
            _chunkBytes += 2;
            SamplesOut++;
            if (_chunkBytes == _chunk.Length)
            {
                _onChunk(_chunk, _chunkBytes);
                _chunkBytes = 0;
            }
        }
    }
}
