"""Streaming prosody: YIN F0 on tones, pulse trains, noise and eSpeak speech; chunk invariance;
semitones, pitch accents and phrase ends on signals built to contain (or lack) them."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import soxr
from scipy.signal import lfilter

from runtime.audio.constants import HOP_LENGTH, HOP_S, SAMPLE_RATE
from runtime.audio.prosody import PAUSE_HOPS, ProsodyBlock, StreamingProsody
from runtime.train.espeak import SpeechOptions, synthesize

FIELDS = ("f0_hz", "voicing", "f0_semitones", "pitch_accent", "phrase_end")
WINDOW_S = 0.04  # the YIN window: hop h is centred WINDOW_S / 2 before its end, (h + 1) * HOP_S


def _analyse(samples: np.ndarray, piece: int | None = None) -> dict[str, np.ndarray]:
    """Pushes `samples` in pieces of `piece` samples (all at once for None); fields of all hops."""
    prosody = StreamingProsody()
    step = piece or max(len(samples), 1)
    blocks = [prosody.push(samples[start:start + step]) for start in range(0, len(samples), step)]
    hops = 0
    for block in blocks:
        assert isinstance(block, ProsodyBlock) and block.start_hop == hops
        hops += len(block)
    assert hops == len(samples) // HOP_LENGTH
    return {name: np.concatenate([getattr(block, name) for block in blocks]) for name in FIELDS}


def _hop_centres_s(count: int) -> np.ndarray:
    return (np.arange(count) + 1) * HOP_S - WINDOW_S / 2


def _harmonics(f0_hz: np.ndarray, amplitude: np.ndarray | float = 0.3, first: int = 1, last: int = 5) -> np.ndarray:
    """Harmonics first..last of a (per-sample) F0 contour with 1/k amplitudes."""
    phase = 2.0 * np.pi * np.cumsum(f0_hz) / SAMPLE_RATE
    tone = sum(np.sin(k * phase) / k for k in range(first, last + 1))
    return (amplitude * tone / np.max(np.abs(tone))).astype(np.float32)


def _glottal_pulses(f0_at, duration_s: float, jitter: float, seed: int = 0) -> np.ndarray:
    """Rosenberg glottal pulses, period by period with Gaussian jitter, radiated (differentiated)
    and shaped by two formant resonators: a vowel-like source YIN has to see through."""
    rng = np.random.default_rng(seed)
    times = np.arange(round(duration_s * SAMPLE_RATE)) / SAMPLE_RATE
    flow = np.zeros_like(times)
    start = 0.0
    while start < duration_s:
        period = (1.0 + jitter * rng.standard_normal()) / f0_at(start)
        opening, closing = 0.4 * period, 0.16 * period
        span = slice(int(np.ceil(start * SAMPLE_RATE)), int(np.ceil((start + opening + closing) * SAMPLE_RATE)))
        local = times[span] - start
        flow[span] += np.where(local < opening, 0.5 - 0.5 * np.cos(np.pi * local / opening),
                               np.cos(np.pi * (local - opening) / (2.0 * closing)))
        start += period
    voice = np.diff(flow, prepend=0.0)
    for centre_hz, bandwidth_hz in ((500.0, 80.0), (1500.0, 120.0)):
        radius = np.exp(-np.pi * bandwidth_hz / SAMPLE_RATE)
        voice = lfilter([1.0], [1.0, -2.0 * radius * np.cos(2.0 * np.pi * centre_hz / SAMPLE_RATE), radius**2], voice)
    return (0.5 * voice / np.max(np.abs(voice))).astype(np.float32)


def _bumps(duration_s: float, peaks_s: tuple[float, ...], width_s: float = 0.25) -> np.ndarray:
    """Per-sample raised-cosine bumps of height 1 and total width `width_s` at each peak."""
    times = np.arange(round(duration_s * SAMPLE_RATE)) / SAMPLE_RATE
    shape = np.zeros_like(times)
    for peak in peaks_s:
        inside = np.abs(times - peak) < width_s / 2
        shape[inside] = 0.5 + 0.5 * np.cos(2.0 * np.pi * (times[inside] - peak) / width_s)
    return shape


def _accent_signal(peaks_s: tuple[float, ...], duration_s: float = 2.0) -> np.ndarray:
    """120 Hz voice whose F0 rises to 150 Hz, twice as loud, in a 250 ms bump at each peak."""
    bump = _bumps(duration_s, peaks_s)
    return _harmonics(120.0 + 30.0 * bump, amplitude=0.15 * (1.0 + bump))


@functools.lru_cache(maxsize=8)
def _espeak(text: str, pitch: int = 50) -> np.ndarray:
    speech = synthesize(text, SpeechOptions(pitch=pitch))
    return soxr.resample(speech.as_float32(), speech.sample_rate, SAMPLE_RATE).astype(np.float32)


def _window_levels_db(samples: np.ndarray) -> np.ndarray:
    """dBFS of the 40 ms window of every hop, from the samples themselves (for the test's truth)."""
    padded = np.concatenate([np.zeros(round(WINDOW_S * SAMPLE_RATE) - HOP_LENGTH, np.float32), samples])
    windows = np.lib.stride_tricks.sliding_window_view(padded, round(WINDOW_S * SAMPLE_RATE))[::HOP_LENGTH]
    return 10.0 * np.log10(np.maximum(np.mean(np.square(windows[:len(samples) // HOP_LENGTH]), axis=1), 1e-10))


@pytest.mark.parametrize("f0_hz", [100.0, 150.0, 220.0, 300.0])
@pytest.mark.parametrize("first, last", [(1, 1), (1, 5), (2, 6)], ids=["sine", "harmonics", "missing_fundamental"])
def test_f0_of_tones_and_harmonic_complexes_is_within_two_percent(f0_hz, first, last):
    result = _analyse(_harmonics(np.full(SAMPLE_RATE, f0_hz), first=first, last=last))
    settled = slice(5, None)  # after the first 50 ms
    error = np.abs(result["f0_hz"][settled] / f0_hz - 1.0)
    assert np.mean(error < 0.02) >= 0.95
    assert np.all(result["voicing"][settled] > 0.9)


def test_f0_follows_a_jittered_glottal_glide():
    duration_s = 2.0

    def glide(time_s: float) -> float:
        return 120.0 + 80.0 * time_s / duration_s

    result = _analyse(_glottal_pulses(glide, duration_s, jitter=0.01))
    centres = _hop_centres_s(len(result["f0_hz"]))
    settled = centres >= 0.05
    truth = glide(centres[settled])
    error = np.abs(result["f0_hz"][settled] / truth - 1.0)  # an unvoiced hop counts as 100 % error
    assert np.median(error) < 0.03
    assert np.mean(result["f0_hz"][settled] > 0) > 0.9
    first_half = centres[settled] < duration_s / 2
    assert np.median(result["f0_hz"][settled][first_half]) < np.median(result["f0_hz"][settled][~first_half])


@pytest.mark.parametrize("name", ["white_noise", "quiet_noise", "silence"])
def test_noise_and_silence_are_unvoiced(name):
    noise = np.random.default_rng(1).standard_normal(2 * SAMPLE_RATE).astype(np.float32)
    samples = {"white_noise": 0.1 * noise, "quiet_noise": 1e-4 * noise, "silence": 0.0 * noise}[name]
    result = _analyse(samples)
    unvoiced = result["voicing"] < 0.5
    assert np.mean(unvoiced) >= 0.95
    assert np.all(result["f0_hz"][unvoiced] == 0.0) and np.all(result["f0_semitones"][result["f0_hz"] == 0.0] == 0.0)
    assert not result["pitch_accent"].any() and not result["phrase_end"].any()


def test_any_chunking_gives_bit_identical_output():
    rng = np.random.default_rng(2)
    samples = np.concatenate([
        _accent_signal((0.7,), duration_s=1.5),
        np.zeros(round(0.3 * SAMPLE_RATE), np.float32),
        (0.05 * rng.standard_normal(round(0.4 * SAMPLE_RATE))).astype(np.float32),
        _glottal_pulses(lambda time_s: 110.0 + 60.0 * time_s, 0.8, jitter=0.01, seed=3),
    ])
    assert len(samples) == 3 * SAMPLE_RATE
    whole = _analyse(samples)
    assert whole["pitch_accent"].any() and whole["phrase_end"].any()  # every field is exercised
    for piece in (1, 37, 1000):
        pieces = _analyse(samples, piece)
        for name in FIELDS:
            assert pieces[name].dtype == whole[name].dtype and np.array_equal(pieces[name], whole[name]), (piece, name)


def test_empty_and_short_pushes_buffer_without_raising():
    prosody = StreamingProsody()
    assert prosody.lookahead_hops == 0
    tone = _harmonics(np.full(HOP_LENGTH * 6, 150.0))
    sizes = [0, 1, 0, 158, 1, 0, 320, 0, 80, 400]  # hop 0 completes with the 160th sample
    blocks, start = [], 0
    for size in sizes:
        blocks.append(prosody.push(tone[start:start + size]))
        start += size
    assert [len(block) for block in blocks] == [0, 0, 0, 0, 1, 0, 2, 0, 0, 3]
    assert [block.start_hop for block in blocks] == [0, 0, 0, 0, 0, 1, 1, 3, 3, 3]
    assert all(block.f0_hz.dtype == np.float32 and block.phrase_end.dtype == bool for block in blocks)


def test_espeak_pitch_setting_moves_f0_and_speech_is_mostly_voiced():
    text = "Hello there. How are you today? I am fine."
    medians = {}
    for pitch in (30, 70):
        samples = _espeak(text, pitch)
        result = _analyse(samples, 640)
        voiced = result["f0_hz"] > 0
        medians[pitch] = np.median(result["f0_hz"][voiced])
        speaking = _window_levels_db(samples) > -40.0
        assert np.mean(voiced[speaking]) > 0.4
        assert np.all(np.abs(result["f0_semitones"][voiced]) < 12.0)
    assert medians[70] > 1.2 * medians[30]


def test_phrase_ends_come_in_sentence_pauses_of_speech():
    samples = _espeak("Hello there. How are you today? I am fine.")
    result = _analyse(samples, 320)
    ends = np.flatnonzero(result["phrase_end"])
    assert len(ends) >= 1
    levels = _window_levels_db(samples)
    for hop in ends:  # reported at the 200 ms mark of a pause: every window since it began is quiet
        assert np.all(levels[hop - PAUSE_HOPS + 1:hop + 1] < -50.0)
        assert levels[hop - PAUSE_HOPS] > -50.0 or result["f0_hz"][hop - PAUSE_HOPS] > 0


def test_phrase_end_needs_a_pause_after_a_phrase():
    tone = _harmonics(np.full(3 * SAMPLE_RATE, 150.0))
    assert not _analyse(tone)["phrase_end"].any()
    result = _analyse(np.concatenate([tone[:SAMPLE_RATE], np.zeros(SAMPLE_RATE // 2, np.float32)]))
    # Hop 103 is the first whose 40 ms window ends after the tone; the 20th silent hop is 122.
    assert np.flatnonzero(result["phrase_end"]).tolist() == [103 + PAUSE_HOPS - 1]
    short = np.concatenate([tone[:SAMPLE_RATE // 5], np.zeros(SAMPLE_RATE // 2, np.float32)])
    assert not _analyse(short)["phrase_end"].any()  # 200 ms of tone is too short to be a phrase


def test_semitones_measure_against_a_slowly_adapting_reference():
    step = 2.0 ** (4.0 / 12.0)  # four semitones up after one second
    result = _analyse(_harmonics(np.repeat([100.0, 100.0 * step], SAMPLE_RATE)))
    semitones, centres = result["f0_semitones"], _hop_centres_s(len(result["f0_semitones"]))
    assert np.all(np.abs(semitones[(centres > 0.05) & (centres < 0.98)]) < 0.05)
    just_after = (centres > 1.05) & (centres < 1.1)
    assert np.all((semitones[just_after] > 3.5) & (semitones[just_after] < 4.05))
    assert semitones[-1] < semitones[just_after][-1]  # the reference follows the new register


def test_pitch_accents_follow_loud_f0_bumps():
    peaks_s = (0.6, 1.4)
    result = _analyse(_accent_signal(peaks_s))
    accents = np.flatnonzero(result["pitch_accent"])
    detected_s = (accents + 1) * HOP_S  # an accent is known at the end of its hop
    assert len(accents) == len(peaks_s)
    for peak, when in zip(peaks_s, detected_s, strict=True):
        assert peak <= when <= peak + 0.15
    assert np.all((result["pitch_accent"][accents] > 0.25) & (result["pitch_accent"][accents] <= 1.0))
    assert np.all((result["pitch_accent"] >= 0.0) & (result["pitch_accent"] <= 1.0))


def test_a_flat_tone_has_no_accents():
    for samples in (_harmonics(np.full(2 * SAMPLE_RATE, 120.0)), _glottal_pulses(lambda _: 120.0, 2.0, 0.01)):
        assert not _analyse(samples)["pitch_accent"].any()
