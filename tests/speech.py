"""Test speech: real synthesised sentences (eSpeak NG), with silences where tests need them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.pcm import encode_pcm16
from runtime.train.conversation import SAMPLE_RATE as CONVERSATION_RATE
from runtime.train.conversation import conversation
from runtime.train.espeak import SpeechOptions, synthesize

PARAGRAPH = ("Peter picked a bowl of mushrooms before the morning market opened. "
             "Then he walked home slowly, and made a lovely soup for everybody.")


def level_db(samples: np.ndarray) -> float:
    """Mean power of all the samples, dB re full scale (pauses count: for comparing pauses and words)."""
    return 10.0 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-12)


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



def long_speech(seconds: float) -> Clip:
    """At least `seconds` of conversational speech (runtime.train.conversation), cut to length."""
    return Clip(conversation(seconds), CONVERSATION_RATE)
