"""What the sound went through before it reached us: a telephone band, or a low-bitrate Opus link.

- `telephone`: 300-3,400 Hz through an 8 kHz channel (`augment.telephone`; nothing above 4 kHz
  survives the 8 kHz resampling);
- `opus_round_trip`: encoded with libopus (through PyAV, a core dependency: PyAV BSD-3-Clause; the
  FFmpeg inside its wheel reports LGPL-3.0-or-later; libopus BSD-3-Clause) at a low bitrate in an
  in-memory Ogg stream and decoded back, as a VoIP or game voice chat would. The Ogg pre-skip
  removes the codec delay, so the output lines up with the input sample for sample (up to the
  codec's own look-ahead filter).
"""

from __future__ import annotations

import io

import av
import numpy as np

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.augment import telephone

__all__ = ["opus_round_trip", "telephone"]

OPUS_FRAME = SAMPLE_RATE // 50  # 20 ms frames, VoIP's usual


def _encode(audio: np.ndarray, bitrate: int) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = bitrate
        stream.codec_context.options = {"application": "voip"}
        pcm = np.clip(audio, -1.0, 1.0).astype(np.float32)
        for start in range(0, len(pcm), OPUS_FRAME):
            frame = av.AudioFrame.from_ndarray(pcm[None, start:start + OPUS_FRAME].copy(), format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def _decode(data: bytes) -> np.ndarray:
    pieces = []
    with av.open(io.BytesIO(data), "r", format="ogg") as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(audio=0):
            for converted in resampler.resample(frame):
                pieces.append(converted.to_ndarray().reshape(-1))
        for converted in resampler.resample(None):
            pieces.append(converted.to_ndarray().reshape(-1))
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


def opus_round_trip(audio: np.ndarray, bitrate: int = 12_000) -> np.ndarray:
    """`audio` (16 kHz float32) after an Opus encode and decode at `bitrate` bits/s, same length."""
    decoded = _decode(_encode(audio, bitrate))
    out = np.zeros(len(audio), np.float32)
    out[: min(len(audio), len(decoded))] = decoded[: len(audio)]
    return out
