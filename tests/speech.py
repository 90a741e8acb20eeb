"""Test speech: real synthesised sentences (eSpeak NG), with silences where tests need them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.pcm import encode_pcm16
from runtime.train.espeak import SpeechOptions, synthesize

PARAGRAPH = ("Peter picked a bowl of mushrooms before the morning market opened. "
             "Then he walked home slowly, and made a lovely soup for everybody.")


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray  # float32 mono
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def pcm16(self) -> bytes:
        return encode_pcm16(self.samples)


def speech_clip(text: str = PARAGRAPH, voice: str = "en-us") -> Clip:
    speech = synthesize(text, SpeechOptions(voice=voice))
    return Clip(speech.as_float32(), speech.sample_rate)


def silence(seconds: float, sample_rate: int = 22_050) -> Clip:
    return Clip(np.zeros(round(seconds * sample_rate), np.float32), sample_rate)


def concatenate(*clips: Clip) -> Clip:
    rates = {clip.sample_rate for clip in clips}
    assert len(rates) == 1, "test clips must share a sample rate"
    return Clip(np.concatenate([clip.samples for clip in clips]), rates.pop())


def envelope_at(clip: Clip, times_s: np.ndarray, window_s: float = 0.04) -> np.ndarray:
    """RMS level of the audio in a window centred on each time."""
    half = round(window_s / 2 * clip.sample_rate)
    levels = []
    for time_s in times_s:
        centre = round(time_s * clip.sample_rate)
        window = clip.samples[max(0, centre - half):centre + half]
        levels.append(np.sqrt(np.mean(np.square(window))) if len(window) else 0.0)
    return np.array(levels)


SENTENCES = (
    "Peter picked a bowl of mushrooms before the morning market opened.",
    "Then he walked home slowly, and made a lovely soup for everybody.",
    "The old lighthouse keeper counted thirty two ships passing through the bay.",
    "Would you like to hear the story of the quiet village by the river?",
    "Nobody expected the rain to stop so suddenly that afternoon.",
)


def long_speech(seconds: float) -> Clip:
    """At least `seconds` of conversational speech: sentences in two voices with pauses of
    0.3–0.9 s between them, cut to length."""
    pieces, total = [], 0.0
    index = 0
    while total < seconds:
        clip = speech_clip(SENTENCES[index % len(SENTENCES)], "en-us" if index % 2 == 0 else "en-gb")
        pause = silence(0.3 + 0.15 * (index % 5), clip.sample_rate)
        pieces += [clip, pause]
        total += clip.duration_s + pause.duration_s
        index += 1
    joined = concatenate(*pieces)
    return Clip(joined.samples[: round(seconds * joined.sample_rate)], joined.sample_rate)
