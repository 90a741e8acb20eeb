"""Audio augmentation for the mouth model's training data: make synthetic speech sound recorded.

Each transform takes and returns mono float32 at 16 kHz (speed also returns the factor by which
times stretch, so labels follow). All randomness comes from the generator passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr
from scipy.signal import butter, fftconvolve, sosfiltfilt

from runtime.audio.constants import SAMPLE_RATE


@dataclass(frozen=True)
class AugmentOptions:
    """Probabilities and ranges of each transform, applied in this order."""

    speed_range: tuple[float, float] = (0.88, 1.12)  # resampling: tempo and pitch together (Kaldi-style)
    reverb_probability: float = 0.5
    rt60_range_s: tuple[float, float] = (0.1, 0.7)
    colour_probability: float = 0.6  # microphone/room tilt: a gentle shelf up or down
    telephone_probability: float = 0.15  # 300-3400 Hz through an 8 kHz channel
    noise_probability: float = 0.7
    snr_range_db: tuple[float, float] = (0.0, 30.0)
    gain_range_db: tuple[float, float] = (-30.0, 6.0)
    clip_probability: float = 0.1


def change_speed(audio: np.ndarray, factor: float) -> np.ndarray:
    """Play `factor` times faster (and higher): durations scale by 1 / factor."""
    return soxr.resample(audio, SAMPLE_RATE * factor, SAMPLE_RATE).astype(np.float32)


def reverberate(audio: np.ndarray, rt60_s: float, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room: direct sound plus exponentially decaying noise (-60 dB at rt60), wet mix random."""
    length = int(rt60_s * SAMPLE_RATE)
    decay = np.exp(-6.9 * np.arange(length) / length)
    response = rng.standard_normal(length) * decay * rng.uniform(0.05, 0.3)
    response[0] = 1.0
    wet = fftconvolve(audio, response)[: len(audio)]
    return (wet / max(np.abs(response).sum() ** 0.5, 1.0)).astype(np.float32)


def colour(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mix a low- or high-passed copy back in: a tilt of a few dB, like a microphone or a room."""
    cutoff = rng.uniform(300.0, 3000.0)
    kind = "lowpass" if rng.random() < 0.5 else "highpass"
    band = sosfiltfilt(butter(2, cutoff, kind, fs=SAMPLE_RATE, output="sos"), audio)
    return (audio + rng.uniform(-0.6, 1.0) * band).astype(np.float32)


def telephone(audio: np.ndarray) -> np.ndarray:
    narrow = soxr.resample(audio, SAMPLE_RATE, 8_000)
    narrow = sosfiltfilt(butter(4, (300.0, 3400.0), "bandpass", fs=8_000, output="sos"), narrow)
    return soxr.resample(narrow, 8_000, SAMPLE_RATE)[: len(audio)].astype(np.float32)


def add_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """White, pink or brown noise at the given speech-to-noise ratio."""
    spectrum = np.fft.rfft(rng.standard_normal(len(audio)))
    slope = rng.choice([0.0, 0.5, 1.0])  # amplitude falls as f^-slope: white, pink, brown
    spectrum /= np.maximum(np.arange(len(spectrum)), 1.0) ** slope
    noise = np.fft.irfft(spectrum, len(audio))
    speech_power = np.mean(audio[np.abs(audio) > 1e-4] ** 2) if np.any(np.abs(audio) > 1e-4) else 1e-6
    noise *= np.sqrt(speech_power / 10.0 ** (snr_db / 10.0) / max(np.mean(noise**2), 1e-20))
    return (audio + noise).astype(np.float32)


def augment(audio: np.ndarray, rng: np.random.Generator, options: AugmentOptions = AugmentOptions()
            ) -> tuple[np.ndarray, float]:
    """A recorded-sounding copy of `audio` and the speed factor applied."""
    factor = float(rng.uniform(*options.speed_range))
    audio = change_speed(audio, factor)
    if rng.random() < options.reverb_probability:
        audio = reverberate(audio, rng.uniform(*options.rt60_range_s), rng)
    if rng.random() < options.colour_probability:
        audio = colour(audio, rng)
    if rng.random() < options.telephone_probability:
        audio = telephone(audio)
    if rng.random() < options.noise_probability:
        audio = add_noise(audio, rng.uniform(*options.snr_range_db), rng)
    audio = audio / max(float(np.abs(audio).max()), 1e-6) * 0.9 * 10.0 ** (rng.uniform(*options.gain_range_db) / 20)
    if rng.random() < options.clip_probability:
        limit = float(np.abs(audio).max()) * rng.uniform(0.3, 0.8)
        audio = np.clip(audio, -limit, limit)
    return audio.astype(np.float32), factor
