"""Benchmark audio: synthetic conversational speech (runtime.train.conversation) at any sample rate."""

from __future__ import annotations

import numpy as np
import soxr

from runtime.train.conversation import SAMPLE_RATE, conversation


def speech_samples(seconds: float, sample_rate: int = 16_000) -> np.ndarray:
    """`seconds` of English speech with pauses, mono float32 at `sample_rate`."""
    return soxr.resample(conversation(seconds), SAMPLE_RATE, sample_rate).astype(np.float32)
