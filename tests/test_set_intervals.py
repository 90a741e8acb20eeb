"""The paired comparison's command line and its models (runtime/train/set_intervals.py): new learned weights
stand in for the network they would replace, and a comparison that cannot run says why before any work."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.motion.adaptive_mouth import AdaptiveMouth
from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS, LearnedMouth
from runtime.train.evaluate_mouth import stream
from runtime.train.set_intervals import main, with_weights


def _speech_like(seconds: float = 2.0) -> np.ndarray:
    """Vowel-like bursts and pauses: enough for both of the adaptive mouth's networks to speak."""
    rng = np.random.default_rng(5)
    t = np.arange(int(16_000 * seconds)) / 16_000
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    envelope = (np.sin(2 * np.pi * 2.5 * t) > 0).astype(np.float64)
    return (0.1 * voiced * envelope + 0.003 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def other_weights(tmp_path_factory):
    """The shipped weights with the output layer scaled: another candidate, rows of its own."""
    with np.load(DEFAULT_WEIGHTS) as shipped:
        parameters = {name: shipped[name] for name in shipped.files}
    parameters["head.weight"] = parameters["head.weight"] * np.float32(1.5)
    path = tmp_path_factory.mktemp("weights") / "candidate.npz"
    np.savez(path, **parameters)
    return path


def test_adaptive_mouth_blends_the_weights_it_is_given(other_weights):
    audio = _speech_like()
    shipped = stream(AdaptiveMouth(), audio)[1]
    assert np.array_equal(stream(with_weights("learned-adaptive", DEFAULT_WEIGHTS)(), audio)[1], shipped)
    candidate = stream(with_weights("learned-adaptive", other_weights)(), audio)[1]
    assert not np.array_equal(candidate, shipped)
    assert np.array_equal(stream(with_weights("learned", other_weights)(), audio)[1],
                          stream(LearnedMouth(other_weights), audio)[1])


def test_a_comparison_that_cannot_run_says_why(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--against", str(tmp_path / "missing.npz")])
    assert "no weights at" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--against", str(DEFAULT_WEIGHTS), "--mouth-model", "baseline"])
    assert "baseline does not run them" in capsys.readouterr().err


def test_per_viseme_figures_say_where_accuracy_is_lost():
    """Recall per viseme, and how often the model says each: a model that says one viseme everywhere has
    recall 1 on it, 0 on the rest, and says it on every hop."""
    from runtime.train.set_intervals import per_viseme, viseme_table

    labels = np.array([0, 0, 1, 1, 1, 2])
    always_pp = np.zeros((6, 15), np.float32)
    always_pp[:, 1] = 1.0
    figures = per_viseme([(always_pp, None, labels, None)])
    assert figures["PP"].recall == 1.0 and figures["PP"].said == 1.0 and figures["PP"].share == 0.5
    assert figures["sil"].recall == 0.0 and figures["sil"].said == 0.0
    assert np.isnan(figures["TH"].recall) and figures["TH"].share == 0.0
    assert "1.00 / 1.000" in viseme_table([("set", "model", figures)])


def test_curve_sizes_say_how_large_a_curve_comes_out():
    """A model whose jaw follows the reference's at half its size: spread 0.5, gain 2, r 1; one that does
    not move a curve at all has no gain and no r, and spread 0."""
    from runtime.arkit import blendshape_index
    from runtime.train.set_intervals import curve_sizes, curve_table

    rng = np.random.default_rng(3)
    reference = np.zeros((200, 52), np.float32)
    reference[:, blendshape_index("jawOpen")] = rng.uniform(0.0, 0.6, 200)
    reference[:, blendshape_index("mouthFunnel")] = rng.uniform(0.0, 0.4, 200)
    shapes = np.zeros_like(reference)
    shapes[:, blendshape_index("jawOpen")] = 0.5 * reference[:, blendshape_index("jawOpen")]
    sizes = curve_sizes([(None, shapes[:120], None, reference[:120]), (None, shapes[120:], None, reference[120:])])
    jaw, funnel = sizes["jawOpen"], sizes["mouthFunnel"]
    assert jaw.spread == pytest.approx(0.5) and jaw.gain == pytest.approx(2.0) and jaw.r == pytest.approx(1.0)
    assert funnel.spread == 0.0 and np.isnan(funnel.gain) and np.isnan(funnel.r)
    assert "0.50 / 2.00 / 1.00" in curve_table([("set", "model", sizes)])
