"""The mouth model "learned-adaptive": the learned mouth's rows in a quiet room, the in-noise mouth's in
a noisy one and wherever nobody talks, its voice activity the in-noise network's; chunking changes
nothing."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.constants import HOP_LENGTH
from runtime.audio.features import FeatureBlock, StreamingLogMel
from runtime.motion.adaptive_mouth import ROOM_WINDOW_HOPS, AdaptiveMouth
from runtime.motion.audio_to_mouth import LearnedMouth, LearnedMouthInNoise
from runtime.train.evaluate_mouth import stream
from runtime.train.mouth_metrics import CLOSED_APERTURE, lip_aperture
from runtime.train.noises import noise
from tests.speech import speech_clip

SETTLED = ROOM_WINDOW_HOPS + 50  # hops after which the room's window and the blend have caught up


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """Synthetic speech at 16 kHz between stretches of digital silence: a quiet room."""
    import soxr

    clip = speech_clip()
    samples = soxr.resample(clip.samples, clip.sample_rate, 16_000).astype(np.float32)
    return np.concatenate([np.zeros(8_000, np.float32), samples, np.zeros(8_000, np.float32)])


def _rows(model, samples: np.ndarray, sizes: list[int], after_push=None) -> list[np.ndarray]:
    """(visemes, blendshapes, voice activity) of the clip pushed in chunks of the given sample counts, in
    turn; `after_push(model)` is called after each push."""
    features, rows, start, turn = StreamingLogMel(), [], 0, 0
    while start < len(samples):
        size = sizes[turn % len(sizes)]
        block = features.push(samples[start:start + size])
        rows.append(model.push(block, np.zeros(len(block), np.float32)))
        if after_push is not None:
            after_push(model)
        start, turn = start + size, turn + 1
    return [np.concatenate([getattr(r, name) for r in rows]) for name in ("visemes", "blendshapes", "voice_activity")]


def _in_noise(samples: np.ndarray, snr_db: float) -> np.ndarray:
    """The speech with a steady hum (hvac) under it, from before it starts to after it ends, at snr_db re its
    active level."""
    hum = noise("hvac", len(samples), np.random.default_rng(5))
    active = samples[np.abs(samples) > 1e-4]
    gain = np.sqrt(np.mean(active**2) / np.mean(hum**2)) * 10.0 ** (-snr_db / 20.0)
    return (samples + gain * hum).astype(np.float32)


def test_rows_do_not_depend_on_chunking(speech):
    """Chunks of one sample (no hop done: pushes of zero hops), ragged ones and whole seconds."""
    noisy = _in_noise(speech, 10.0)
    for samples in (speech, noisy):
        whole = _rows(AdaptiveMouth(), samples, [16_000])
        for sizes in ([HOP_LENGTH * 3], [1, 997, 160, 4_003], [37 * 7]):
            assert all(np.array_equal(a, b) for a, b in zip(whole, _rows(AdaptiveMouth(), samples, sizes), strict=True))


def test_the_idle_network_stops_and_restarts_without_changing_a_bit(speech):
    """Speech, three seconds of silence, speech again; and speech under a hum (a noisy room): the quiet
    room's network stops where its rows go unused and restarts from the log-mel kept, and the rows
    are those of a mouth whose network never stopped, in any chunking."""
    for samples in (np.concatenate([speech, np.zeros(48_000, np.float32), speech]), _in_noise(speech, 5.0)):
        always = AdaptiveMouth()
        always.stops_idle_network = False
        reference = _rows(always, samples, [1_600])
        for sizes in ([1_600], [37 * 7, 4_003]):
            stopped = []
            rows = _rows(AdaptiveMouth(), samples, sizes,
                         lambda mouth, seen=stopped: seen.append(not mouth._quiet_current))
            assert any(stopped)
            for name, got, expected in zip(("visemes", "blendshapes", "voice_activity"), rows, reference, strict=True):
                assert np.array_equal(got, expected), name


def test_in_a_quiet_room_the_rows_are_the_learned_mouths_where_someone_talks(speech):
    visemes, shapes, voice = _rows(AdaptiveMouth(), speech, [1_600])
    learned_visemes, learned_shapes, _ = _rows(LearnedMouth(), speech, [1_600])
    talking = voice >= 0.5
    talking[:SETTLED] = False
    assert talking.sum() > 100
    np.testing.assert_allclose(shapes[talking], learned_shapes[talking], atol=1e-4)
    np.testing.assert_allclose(visemes[talking], learned_visemes[talking], atol=1e-4)


def test_in_a_noisy_room_the_rows_are_the_in_noise_mouths(speech):
    noisy = _in_noise(speech, 5.0)
    _, shapes, voice = _rows(AdaptiveMouth(), noisy, [1_600])
    _, in_noise, in_noise_voice = _rows(LearnedMouthInNoise(), noisy, [1_600])
    np.testing.assert_array_equal(voice, in_noise_voice)  # one voice activity, the in-noise network's
    same = np.all(np.abs(shapes - in_noise) < 1e-4, axis=1)[SETTLED:]
    assert same.mean() >= 0.95


def test_lips_stay_shut_in_music_and_breaths():
    """Held-out families (never trained on) at -36 dBFS, 10 dB under the real clips' speech, nobody
    talking. Measured: music-band closed 0.89 of hops, "talking" 0.33 (learned-in-noise 0.91 and 0.33;
    learned alone 0.24, its energy detector 0.85); breaths closed 0.99, talking 0.00 (learned 0.87)."""
    rng = np.random.default_rng(3)
    for family in ("music-band", "breath-mouth"):
        sound = noise(family, 8 * 16_000, rng)
        sound = (sound * 0.016 / np.sqrt(np.mean(sound**2))).astype(np.float32)
        _, shapes, voice = stream(AdaptiveMouth(), sound)
        assert (lip_aperture(shapes) < CLOSED_APERTURE).mean() >= 0.8, family
        assert (voice > 0.5).mean() <= 0.45, family


def test_a_push_of_no_hops_gives_no_rows():
    rows = AdaptiveMouth().push(FeatureBlock(0, np.zeros((0, 80), np.float32), np.zeros(0, np.float32)),
                                np.zeros(0, np.float32))
    assert rows.visemes.shape == (0, 15) and rows.blendshapes.shape == (0, 52) and rows.voice_activity.shape == (0,)
