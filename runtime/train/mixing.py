"""Mixing a noise into speech at a given speech-to-noise ratio.

Speech level is the mean power of its active 20 ms frames (those within 40 dB of the loudest
frame), a simplified ITU-T P.56 active level: pauses and the silence around an utterance do not
dilute it, so "10 dB SNR" means the same for a clip with long pauses as for one without. Noise
level is its mean power over the whole stretch that is mixed in.
"""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import SAMPLE_RATE

FRAME = SAMPLE_RATE // 50  # 20 ms
ACTIVE_RANGE_DB = 40.0


def active_power(audio: np.ndarray) -> float:
    """Mean power of the frames within ACTIVE_RANGE_DB of the loudest (0 for digital silence)."""
    usable = len(audio) // FRAME * FRAME
    if usable == 0:
        return float(np.mean(np.square(audio, dtype=np.float64))) if len(audio) else 0.0
    frames = np.mean(np.square(audio[:usable].reshape(-1, FRAME), dtype=np.float64), axis=1)
    active = frames[frames >= frames.max() * 10.0 ** (-ACTIVE_RANGE_DB / 10)]
    return float(active.mean())


def fit_length(noise: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """`length` samples of `noise`: a random crop, or the noise looped from a random offset."""
    if len(noise) >= length:
        start = int(rng.integers(len(noise) - length + 1))
        return noise[start:start + length]
    return np.resize(np.roll(noise, -int(rng.integers(len(noise)))), length)


def noise_gain(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> float:
    """The factor that puts `noise` (as long as `speech`) snr_db below the speech's active level."""
    noise_power = float(np.mean(np.square(noise, dtype=np.float64)))
    if noise_power <= 0.0:
        raise ValueError("the noise is digital silence: no level gives an SNR")
    return float(np.sqrt(active_power(speech) / 10.0 ** (snr_db / 10.0) / noise_power))


def scale_to_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """`noise` (as long as `speech`) scaled so that active speech power / noise power is snr_db."""
    return (noise * noise_gain(speech, noise, snr_db)).astype(np.float32)


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """speech + noise (cropped or looped to the speech's length) at snr_db."""
    noise = fit_length(np.asarray(noise, np.float32), len(speech), rng)
    return (speech + scale_to_snr(speech, noise, snr_db)).astype(np.float32)


def snr_db(speech: np.ndarray, noise: np.ndarray) -> float:
    """The speech-to-noise ratio as mix_at_snr defines it, for checking a mix."""
    return 10.0 * np.log10(active_power(speech) / float(np.mean(np.square(noise, dtype=np.float64))))
