"""Writes test audio in real container formats through FFmpeg (PyAV), as users' files would be."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

# container suffix → (encoder, sample format it takes)
ENCODERS = {
    ".wav": ("pcm_s16le", "s16"),
    ".flac": ("flac", "s16"),
    ".ogg": ("libopus", "flt"),
    ".mp3": ("libmp3lame", "fltp"),
}


def write_audio(path: Path, samples: np.ndarray, sample_rate: int) -> Path:
    codec_name, sample_format = ENCODERS[path.suffix]
    rate = 48_000 if codec_name == "libopus" else sample_rate  # Opus only runs at its own rates
    samples = _resample(samples, sample_rate, rate)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec_name, rate=rate, layout="mono")
        stream.format = sample_format
        step = 1024
        for start in range(0, len(samples), step):
            frame = _frame(samples[start:start + step], sample_format, rate)
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _frame(piece: np.ndarray, sample_format: str, rate: int) -> av.AudioFrame:
    if sample_format == "s16":
        data = np.round(np.clip(piece, -1, 1) * 32767).astype(np.int16)[None, :]
    else:
        data = piece.astype(np.float32)[None, :]
    frame = av.AudioFrame.from_ndarray(data, format=sample_format, layout="mono")
    frame.sample_rate = rate
    return frame


def _resample(samples: np.ndarray, source: int, target: int) -> np.ndarray:
    if source == target:
        return samples
    import soxr

    return soxr.resample(samples, source, target).astype(np.float32)
