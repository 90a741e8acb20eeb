"""Raw PCM bytes from the wire → float32 samples in [-1, 1]."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import MAX_INPUT_SAMPLE_RATE, MIN_INPUT_SAMPLE_RATE
from runtime.errors import InvalidAudioError, InvalidConfigError

PCM_STREAM_SAMPLE_RATE = 16_000  # raw PCM of unknown length (stdin): the rate microphones are asked for


class AudioEncoding(enum.Enum):
    PCM_S16LE = "pcm_s16le"  # signed 16-bit little-endian
    FLOAT32LE = "float32le"  # IEEE float32 little-endian in [-1, 1]

    @property
    def bytes_per_sample(self) -> int:
        return 2 if self is AudioEncoding.PCM_S16LE else 4


def check_sample_rate(sample_rate_hz: int) -> None:
    if not MIN_INPUT_SAMPLE_RATE <= sample_rate_hz <= MAX_INPUT_SAMPLE_RATE:
        raise InvalidConfigError(
            f"sample_rate_hz must be within [{MIN_INPUT_SAMPLE_RATE}, {MAX_INPUT_SAMPLE_RATE}], "
            f"got {sample_rate_hz}"
        )


def decode_pcm(data: bytes, encoding: AudioEncoding) -> np.ndarray:
    """Mono samples as float32 in [-1, 1]; InvalidAudioError for a partial sample or non-finite value."""
    width = encoding.bytes_per_sample
    if len(data) % width:
        raise InvalidAudioError(
            f"{encoding.value} audio chunk has {len(data)} bytes, not a multiple of {width}"
        )
    if encoding is AudioEncoding.PCM_S16LE:
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    samples = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if not np.isfinite(samples).all():
        raise InvalidAudioError("float32le audio chunk contains NaN or infinity")
    return np.clip(samples, -1.0, 1.0)


def encode_pcm16(samples: np.ndarray) -> bytes:
    """float samples in [-1, 1] → PCM16 little-endian bytes (clipped, rounded)."""
    scaled = np.clip(np.round(np.asarray(samples, np.float32) * 32768.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()


@dataclass(frozen=True)
class AudioFormat:
    """What a client sends: mono audio in `encoding` at `sample_rate_hz` (8–48 kHz)."""

    encoding: AudioEncoding = AudioEncoding.PCM_S16LE
    sample_rate_hz: int = 16_000

    def __post_init__(self) -> None:
        check_sample_rate(self.sample_rate_hz)
