"""Benchmark audio: real synthesised speech with pauses, at any sample rate."""

from __future__ import annotations

import numpy as np
import soxr

from runtime.train.espeak import SpeechOptions, synthesize

SENTENCES = (
    "Peter picked a bowl of mushrooms before the morning market opened.",
    "Then he walked home slowly, and made a lovely soup for everybody.",
    "The old lighthouse keeper counted thirty two ships passing through the bay.",
    "Would you like to hear the story of the quiet village by the river?",
)
PAUSE_S = 0.4


def speech_samples(seconds: float, sample_rate: int = 16_000) -> np.ndarray:
    """At least `seconds` of English speech (eSpeak NG, two voices), mono float32 at `sample_rate`."""
    pieces, total = [], 0.0
    for index in range(10_000):
        voice = "en-us" if index % 2 == 0 else "en-gb"
        speech = synthesize(SENTENCES[index % len(SENTENCES)], SpeechOptions(voice=voice))
        audio = soxr.resample(speech.as_float32(), speech.sample_rate, sample_rate).astype(np.float32)
        pieces += [audio, np.zeros(round(PAUSE_S * sample_rate), np.float32)]
        total += len(audio) / sample_rate + PAUSE_S
        if total >= seconds:
            break
    return np.concatenate(pieces)[: round(seconds * sample_rate)]
