"""Synthetic rooms: impulse responses with a chosen reverberation time (RT60), and measuring it.

An impulse response here is the direct sound, a handful of early reflections (walls, desk and
ceiling: sparse taps 2-50 ms after it with falling gains and random signs), and a late tail of
Gaussian noise under an exponential envelope that falls 60 dB in RT60 seconds (Schroeder's
statistical model of a diffuse field). The late tail's level against the direct sound sets how far
the talker is from the microphone. `measure_rt60` reads the decay back with Schroeder's backward
integration (a T20 fit, -5 to -25 dB, extrapolated to 60 dB), as ISO 3382 does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from runtime.audio.constants import SAMPLE_RATE

LN_1000 = np.log(1000.0)  # 60 dB of energy decay is a factor 1000 in amplitude


@dataclass(frozen=True)
class Room:
    rt60_s: float
    direct_to_reverberant_db: float = 3.0  # energy of the direct sound over that of everything after it
    early_reflections: int = 8


def impulse_response(room: Room, rng: np.random.Generator, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """float32 response of `room`, long enough for the tail to fall 60 dB, direct sound at sample 0."""
    length = int(room.rt60_s * sample_rate) + 1
    t = np.arange(length) / sample_rate
    tail = rng.standard_normal(length) * np.exp(-LN_1000 * t / room.rt60_s)
    tail[: int(0.002 * sample_rate)] = 0.0  # nothing arrives before the first reflection can
    delays = np.sort(rng.uniform(0.002, 0.05, room.early_reflections))
    for delay in delays:
        tail[int(delay * sample_rate)] += rng.choice([-1.0, 1.0]) * rng.uniform(2.0, 6.0) * np.exp(
            -LN_1000 * delay / room.rt60_s)
    tail *= np.sqrt(10.0 ** (-room.direct_to_reverberant_db / 10.0) / np.sum(tail**2))
    tail[0] = 1.0  # the direct sound
    return tail.astype(np.float32)


def reverberate(audio: np.ndarray, response: np.ndarray) -> np.ndarray:
    """`audio` heard through `response`, cut to its own length and brought back to its own RMS."""
    wet = fftconvolve(audio, response)[: len(audio)]
    level = np.sqrt(np.mean(np.square(audio, dtype=np.float64)) / max(np.mean(wet**2), 1e-20))
    return (wet * level).astype(np.float32)


def measure_rt60(response: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """RT60 from the T20 slope of the Schroeder decay curve of the response after its direct sound."""
    energy = np.cumsum((response[1:].astype(np.float64) ** 2)[::-1])[::-1]
    decay_db = 10.0 * np.log10(energy / energy[0] + 1e-30)
    fitted = (decay_db <= -5.0) & (decay_db >= -25.0)
    slope_db_per_s = np.polyfit(np.flatnonzero(fitted) / sample_rate, decay_db[fitted], 1)[0]
    return float(-60.0 / slope_db_per_s)
