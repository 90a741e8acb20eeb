"""Audio augmentation for the mouth model's training data: make synthetic speech sound recorded.

Each transform takes and returns mono float32 at 16 kHz (speed also returns the factor by which
times stretch, so labels follow). All randomness comes from the generator passed in.

`augment` is what the shipped model (version 1) trained with; `augment_for_use` is the next one:
the training noise families of `noises` (fan, babble, keyboard, plucked music, breaths, coloured),
rooms with early reflections up to 1.2 s RT60 (`rooms`), and telephone and Opus channels
(`channels`). It refuses the held-out families, which only the evaluation may hear.
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


@dataclass(frozen=True)
class UseAugmentOptions:
    """Probabilities and ranges of `augment_for_use`, applied in this order."""

    speed_range: tuple[float, float] = (0.88, 1.12)
    room_probability: float = 0.5
    rt60_range_s: tuple[float, float] = (0.15, 1.2)
    direct_to_reverberant_range_db: tuple[float, float] = (-3.0, 12.0)  # far talker … close talker
    colour_probability: float = 0.6
    telephone_probability: float = 0.1
    opus_probability: float = 0.15
    opus_bitrates: tuple[int, ...] = (6_000, 8_000, 12_000, 16_000, 24_000)
    noise_probability: float = 0.8
    second_noise_probability: float = 0.3  # a second family on top (music and a fan, …)
    snr_range_db: tuple[float, float] = (0.0, 20.0)
    families: tuple[str, ...] = ("coloured", "fan", "babble", "keyboard", "music-plucked", "breath-nose")
    gain_range_db: tuple[float, float] = (-30.0, 6.0)
    clip_probability: float = 0.1

    def __post_init__(self) -> None:
        from runtime.train.noises import HELD_OUT_FAMILIES, TRAIN_FAMILIES

        leaked = set(self.families) & set(HELD_OUT_FAMILIES)
        if leaked:
            raise ValueError(f"held-out noise families are for evaluation only: {sorted(leaked)}")
        unknown = set(self.families) - set(TRAIN_FAMILIES)
        if unknown or not self.families:
            raise ValueError(f"families must be among {TRAIN_FAMILIES}, got {self.families}")


def _level_and_clipping(audio: np.ndarray, rng: np.random.Generator, gain_range_db: tuple[float, float],
                        clip_probability: float) -> np.ndarray:
    audio = audio / max(float(np.abs(audio).max()), 1e-6) * 0.9 * 10.0 ** (rng.uniform(*gain_range_db) / 20)
    if rng.random() < clip_probability:
        limit = float(np.abs(audio).max()) * rng.uniform(0.3, 0.8)
        audio = np.clip(audio, -limit, limit)
    return audio.astype(np.float32)


def augment_for_use(audio: np.ndarray, rng: np.random.Generator, options: UseAugmentOptions = UseAugmentOptions()
                    ) -> tuple[np.ndarray, float]:
    """`audio` as heard in use (a room, a channel, training-family noise at 0-20 dB SNR), and the speed
    factor applied. The noise covers the silence around the speech too, whose labels stay silence:
    the mouth learns to stay shut in it."""
    from runtime.train import channels, noises, rooms
    from runtime.train.mixing import mix_at_snr

    factor = float(rng.uniform(*options.speed_range))
    audio = change_speed(audio, factor)
    if rng.random() < options.room_probability:
        room = rooms.Room(float(rng.uniform(*options.rt60_range_s)),
                          float(rng.uniform(*options.direct_to_reverberant_range_db)))
        audio = rooms.reverberate(audio, rooms.impulse_response(room, rng))
    if rng.random() < options.colour_probability:
        audio = colour(audio, rng)
    if rng.random() < options.noise_probability:
        layers = 2 if rng.random() < options.second_noise_probability else 1
        for family in rng.choice(options.families, size=layers, replace=False):
            snr = float(rng.uniform(*options.snr_range_db)) + 3.0 * (layers - 1)  # two layers: each a bit quieter
            audio = mix_at_snr(audio, noises.noise(str(family), len(audio), rng), snr, rng)
    if rng.random() < options.telephone_probability:
        audio = channels.telephone(audio)
    elif rng.random() < options.opus_probability:
        audio = channels.opus_round_trip(audio, int(rng.choice(options.opus_bitrates)))
    return _level_and_clipping(audio, rng, options.gain_range_db, options.clip_probability), factor


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
    return _level_and_clipping(audio, rng, options.gain_range_db, options.clip_probability), factor
