"""Audio files (WAV, FLAC, OGG, MP3, anything FFmpeg reads) → mono float32 through PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.audio.constants import MAX_INPUT_SAMPLE_RATE, MIN_INPUT_SAMPLE_RATE
from runtime.errors import InvalidAudioError


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # (n,) float32 mono in [-1, 1]
    sample_rate: int  # Hz, within the accepted input range

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def load_audio(path: str | Path) -> DecodedAudio:
    """Decodes the first audio stream to mono float32 at its own rate (clamped to 8–48 kHz).

    Raises InvalidAudioError with one clear line for a missing file, a file FFmpeg cannot read,
    a file with no audio stream, or one with no samples.
    """
    import av  # imported here: only the CLI and the batch path read files

    path = Path(path)
    if not path.is_file():
        raise InvalidAudioError(f"{path}: no such file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise InvalidAudioError(f"{path}: no audio stream in this file")
            stream = container.streams.audio[0]
            rate = min(max(stream.rate or MIN_INPUT_SAMPLE_RATE, MIN_INPUT_SAMPLE_RATE), MAX_INPUT_SAMPLE_RATE)
            samples = _decode_mono(container, stream, rate)
    except av.FFmpegError as error:
        raise InvalidAudioError(f"{path}: not a readable audio file ({error.strerror or error})") from None
    if samples.size == 0:
        raise InvalidAudioError(f"{path}: the audio stream holds no samples")
    return DecodedAudio(samples, rate)


def _decode_mono(container, stream, rate: int) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    pieces = []
    for frame in container.decode(stream):
        pieces.extend(piece.to_ndarray().reshape(-1) for piece in resampler.resample(frame))
    pieces.extend(piece.to_ndarray().reshape(-1) for piece in resampler.resample(None))
    if not pieces:
        return np.zeros(0, np.float32)
    return np.clip(np.concatenate(pieces).astype(np.float32), -1.0, 1.0)
