"""Long stretches of synthetic conversational speech (eSpeak NG): sentences in alternating voices
with pauses of varied length, for tests, benchmarks and training data alike."""

from __future__ import annotations

import numpy as np

from runtime.train.espeak import SpeechOptions, synthesize

SENTENCES = (
    "Peter picked a bowl of mushrooms before the morning market opened.",
    "Then he walked home slowly, and made a lovely soup for everybody.",
    "The old lighthouse keeper counted thirty two ships passing through the bay.",
    "Would you like to hear the story of the quiet village by the river?",
    "Nobody expected the rain to stop so suddenly that afternoon.",
)
VOICES = ("en-us", "en-gb")
PAUSES_S = (0.3, 0.45, 0.6, 0.75, 0.9)  # between sentences, in turn
SAMPLE_RATE = 22_050  # eSpeak NG's


def conversation(seconds: float) -> np.ndarray:
    """Exactly `seconds` of speech and pauses, mono float32 at SAMPLE_RATE."""
    pieces, total = [], 0
    index = 0
    while total < seconds * SAMPLE_RATE:
        speech = synthesize(SENTENCES[index % len(SENTENCES)], SpeechOptions(voice=VOICES[index % len(VOICES)]))
        pause = np.zeros(round(PAUSES_S[index % len(PAUSES_S)] * SAMPLE_RATE), np.float32)
        pieces += [speech.as_float32(), pause]
        total += len(speech.samples) + len(pause)
        index += 1
    return np.concatenate(pieces)[: round(seconds * SAMPLE_RATE)]
