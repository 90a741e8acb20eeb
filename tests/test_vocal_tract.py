"""Vocal tract length perturbation of log-mel features (runtime/train/vocal_tract.py): a warped crop
looks like the same speech from a talker whose formants sit higher or lower."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.signal import resample_poly

from runtime.audio.constants import MEL_FMAX_HZ, SAMPLE_RATE
from runtime.audio.features import StreamingLogMel
from runtime.train.corpus import CorpusOptions, build, plan_training
from runtime.train.mouth import CropSampler, TrainOptions
from runtime.train.vocal_tract import BOUNDARY_HZ, MelWarp, warped_frequency


def test_the_warp_scales_formants_and_keeps_the_band_top():
    frequencies = np.linspace(0.0, MEL_FMAX_HZ, 500)
    for factor in (0.85, 0.95, 1.05, 1.15):
        moved = warped_frequency(frequencies, factor)
        assert np.all(np.diff(moved) > 0)
        assert moved[-1] == MEL_FMAX_HZ and moved[0] == 0.0
        low = frequencies < 0.8 * BOUNDARY_HZ
        assert np.allclose(moved[low], factor * frequencies[low])


def _vowel(formants_hz: tuple[float, ...], seconds: float = 1.0) -> np.ndarray:
    """A buzz at 120 Hz through resonances at `formants_hz`: a crude steady vowel."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    harmonics = np.arange(1, int(7000 / 120))
    amplitude = sum(1.0 / (1.0 + ((harmonics * 120.0 - f) / 80.0) ** 2) for f in formants_hz)
    return (np.sin(2 * np.pi * 120.0 * harmonics[:, None] * t) * amplitude[:, None]).sum(0).astype(np.float32) * 0.01


def _mean_log_mel(samples: np.ndarray) -> np.ndarray:
    return StreamingLogMel().push(samples).log_mel[5:-5].mean(axis=0)


def test_a_warped_spectrum_matches_the_same_sound_with_a_shorter_tract():
    """Played 10 % faster, a vowel's formants sit 10 % higher: the warp of the original's log-mel
    is closer to that than the original is."""
    vowel = _vowel((700.0, 1200.0, 2600.0))
    original, faster = _mean_log_mel(vowel), _mean_log_mel(resample_poly(vowel, 10, 11).astype(np.float32))
    warp = MelWarp()
    below = warp.centres < BOUNDARY_HZ
    warped = warp(original[None], 1.1)[0]
    assert np.abs(warped - faster)[below].mean() < 0.5 * np.abs(original - faster)[below].mean()
    assert np.array_equal(warp(original[None], 1.0)[0], original)


def test_the_sampler_warps_the_inputs_only_and_only_when_asked():
    options = CorpusOptions(english_utterances=2, other_language_utterances=0, festival_utterances=0,
                            held_out_utterances=0, copies=1, workers=1)
    corpus = build(plan_training(options), options.copies)
    quick = TrainOptions(batch=3, crop_hops=80, band_masks=0, gain_shift=0.0)
    plain = CropSampler(corpus, quick, 8, 16, np.random.default_rng(3)).batch()
    again = CropSampler(corpus, quick, 8, 16, np.random.default_rng(3)).batch()
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, again, strict=True))
    warped = CropSampler(corpus, replace(quick, vocal_tract_warp=0.15), 8, 16, np.random.default_rng(3)).batch()
    assert not np.allclose(warped[0].numpy(), plain[0].numpy())
    # The same crops (the warp's factor is drawn after them), their targets untouched.
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain[1:], warped[1:], strict=True))
