"""The learned mouth: streaming numpy inference, its torch twin, ONNX export, budgets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from runtime.audio.features import StreamingLogMel
from runtime.motion.audio_to_mouth import (
    CLOSURE_RAMP,
    DEFAULT_WEIGHTS,
    IN_NOISE_WEIGHTS,
    JAW_TAPS,
    SILENT_LOG_MEL,
    SPEECH_GATE,
    LearnedMouth,
    speech_gate,
)
from runtime.motion.mouth_models import create_mouth_model
from runtime.train.mouth_network import load_network, parameter_count
from tests.speech import speech_clip

MAX_PARAMETERS = 2_000_000
MAX_LOOKAHEAD_HOPS = 10  # 100 ms
MAX_WEIGHTS_BYTES = 10 * 2**20
# Version 2 on (speech-presence output): the mouth model "learned-in-noise", not the default
# (runtime/weights/audio_to_mouth.md says why).
CANDIDATE = IN_NOISE_WEIGHTS


@pytest.fixture(scope="module")
def log_mel() -> np.ndarray:
    import soxr

    clip = speech_clip()
    samples = soxr.resample(clip.samples, clip.sample_rate, 16_000).astype(np.float32)
    return StreamingLogMel().push(samples).log_mel


def _chunked(log_mel: np.ndarray, sizes: list[int]) -> np.ndarray:
    model, rows, start = LearnedMouth(), [], 0
    for size in sizes:
        rows.append(model.outputs(log_mel[start:start + size]))
        start += size
    return np.concatenate(rows + [model.outputs(log_mel[start:])])


def test_chunking_does_not_change_outputs(log_mel):
    whole = LearnedMouth().outputs(log_mel)
    rng = np.random.default_rng(3)
    assert np.array_equal(_chunked(log_mel, [1] * 40), whole)
    assert np.array_equal(_chunked(log_mel, list(rng.integers(0, 37, 30))), whole)


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, CANDIDATE], ids=["shipped", "candidate"])
def test_numpy_inference_matches_the_torch_network(log_mel, weights):
    network = load_network(weights)
    context = network.config.receptive_field_hops - 1  # the silence a stream starts from
    inputs = np.concatenate([np.full((context, log_mel.shape[1]), SILENT_LOG_MEL, np.float32), log_mel])
    with torch.no_grad():
        expected = network(torch.from_numpy(inputs)[None])[0, context:].numpy()
    np.testing.assert_allclose(LearnedMouth(weights).outputs(log_mel), expected, atol=2e-4)


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, CANDIDATE], ids=["shipped", "candidate"])
def test_onnx_export_matches_torch(tmp_path, log_mel, weights):
    onnxruntime = pytest.importorskip("onnxruntime")
    from runtime.train.export_onnx import export

    network = load_network(weights)
    export(network, tmp_path / "mouth.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "mouth.onnx"), providers=["CPUExecutionProvider"])
    batch = np.stack([log_mel[:300], log_mel[-300:]])
    (outputs,) = session.run(None, {"log_mel": batch})
    with torch.no_grad():
        expected = network(torch.from_numpy(batch)).numpy()
    np.testing.assert_allclose(outputs, expected, atol=1e-4)


def test_budgets_hold():
    network = load_network(DEFAULT_WEIGHTS)
    assert parameter_count(network) <= MAX_PARAMETERS
    assert 0 < network.config.lookahead_hops <= MAX_LOOKAHEAD_HOPS
    assert DEFAULT_WEIGHTS.stat().st_size < MAX_WEIGHTS_BYTES


def test_rows_are_probabilities_and_mouth_shapes(log_mel):
    from runtime.audio.features import FeatureBlock

    model = create_mouth_model("learned")
    rows = model.push(FeatureBlock(0, log_mel, np.zeros(len(log_mel), np.float32)), np.ones(len(log_mel), np.float32))
    assert np.allclose(rows.visemes.sum(axis=1), 1.0, atol=1e-5)
    assert rows.blendshapes.min() >= 0.0 and rows.blendshapes.max() <= 1.0
    assert rows.blendshapes[:, :14].max() == 0.0  # eyes are not the mouth's business
    assert np.array_equal(rows.voice_activity[:model.lookahead_hops], np.zeros(model.lookahead_hops))  # read late


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, IN_NOISE_WEIGHTS])
def test_lips_meet_where_the_visemes_say_p_b_or_m(log_mel, weights):
    """The network's curves alone left the lips apart on some hops its visemes were sure were p, b or
    m; now mouthClose rises to the jaw's opening there, and the curves stay the network's own where
    the visemes see no closure."""
    from runtime.arkit import Blendshape, viseme_index
    from runtime.audio.features import FeatureBlock

    model = LearnedMouth(weights)
    rows = model.push(FeatureBlock(0, log_mel, np.zeros(len(log_mel), np.float32)), np.ones(len(log_mel), np.float32))
    raw = LearnedMouth(weights).outputs(log_mel)
    close_column = model.config.output_column(Blendshape.MOUTH_CLOSE)
    own_close = np.clip(raw[:, close_column], 0.0, 1.0)
    jaw, close = rows.blendshapes[:, Blendshape.JAW_OPEN], rows.blendshapes[:, Blendshape.MOUTH_CLOSE]
    closure = rows.visemes[:, viseme_index("PP")]
    sure, none = closure >= CLOSURE_RAMP[1], closure <= CLOSURE_RAMP[0]
    assert sure.sum() >= 3 and np.all(jaw[sure] - close[sure] <= 1e-6)
    assert np.any(own_close[sure] < jaw[sure] - 0.05)  # the curves alone left those lips apart
    speaking = rows.voice_activity >= SPEECH_GATE[1] if model.detects_speech else np.ones(len(jaw), bool)  # gate open
    np.testing.assert_allclose(close[none & speaking], own_close[none & speaking], atol=1e-6)


def _pushed(model: LearnedMouth, log_mel: np.ndarray, sizes: list[int]):
    from runtime.audio.features import FeatureBlock

    rows, start = [], 0
    for size in [*sizes, len(log_mel)]:
        block = log_mel[start:start + size]
        rows.append(model.push(FeatureBlock(start, block, np.zeros(len(block), np.float32)),
                               np.ones(len(block), np.float32)).blendshapes)
        start += len(block)
    return np.concatenate(rows)


def test_the_jaw_is_the_curve_heads_through_a_causal_filter(log_mel):
    """The jaw the head gives hop by hop flickers; the rows' jaw is it through JAW_TAPS, looking back
    only (no hop waits longer), the same bits however the audio is chunked."""
    from scipy.signal import lfilter

    from runtime.arkit import Blendshape

    model = LearnedMouth()
    whole = _pushed(model, log_mel, [])
    chunked = _pushed(LearnedMouth(), log_mel, list(np.random.default_rng(5).integers(0, 23, 40)))
    assert np.array_equal(chunked, whole)
    raw = LearnedMouth().outputs(log_mel)
    head_jaw = np.clip(raw[:, model.config.output_column(Blendshape.JAW_OPEN)], 0.0, 1.0)
    jaw = whole[:, Blendshape.JAW_OPEN]
    assert len(JAW_TAPS) > 1 and JAW_TAPS[0] == JAW_TAPS.max() and np.isclose(JAW_TAPS.sum(), 1.0)
    np.testing.assert_allclose(jaw, lfilter(JAW_TAPS, [1.0], head_jaw.astype(np.float64)), atol=1e-6)
    flicker, head_flicker = np.abs(np.diff(jaw)).mean(), np.abs(np.diff(head_jaw)).mean()
    assert flicker < 0.8 * head_flicker


def test_mouth_closes_in_digital_silence():
    from runtime.arkit import Blendshape

    silence = StreamingLogMel().push(np.zeros(16_000, np.float32)).log_mel
    outputs = LearnedMouth().outputs(silence)
    jaw = outputs[:, LearnedMouth().config.output_column(Blendshape.JAW_OPEN)]
    assert np.all(jaw < 0.1)


def test_a_mouth_that_detects_speech_reports_its_own_probability(log_mel):
    from runtime.audio.features import FeatureBlock

    model = LearnedMouth(CANDIDATE)
    assert model.detects_speech and not LearnedMouth().detects_speech
    rows = model.push(FeatureBlock(0, log_mel, np.zeros(len(log_mel), np.float32)), np.ones(len(log_mel), np.float32))
    raw_speech = LearnedMouth(CANDIDATE).outputs(log_mel)[:, -1]
    np.testing.assert_allclose(rows.voice_activity, 1.0 / (1.0 + np.exp(-raw_speech)), rtol=1e-6)
    assert np.allclose(rows.visemes.sum(axis=1), 1.0, atol=1e-5) and rows.blendshapes.max() <= 1.0


def test_the_speech_gate_eases_the_lips_shut():
    probabilities = np.linspace(0.0, 1.0, 1001, dtype=np.float32)
    gate = speech_gate(probabilities)
    assert gate[probabilities <= SPEECH_GATE[0]].max() == 0.0 and gate[probabilities >= SPEECH_GATE[1]].min() == 1.0
    assert np.all(np.diff(gate) >= 0.0) and np.abs(np.diff(gate)).max() < 0.01  # monotone, no snap


def test_lips_stay_mostly_shut_in_music_and_breaths():
    """Held-out families (never trained on) at -36 dBFS, 10 dB under the real clips' speech, nobody
    talking. Measured: music-band closed 0.91 of hops, "talking" 0.33 (its version 2: 0.89 and 0.32;
    version 1: closed 0.09, it has no say); breaths closed 1.00, talking 0.00. Babble is left out: a
    few voices are talk."""
    from runtime.train.evaluate_mouth import stream
    from runtime.train.mouth_metrics import CLOSED_APERTURE, lip_aperture
    from runtime.train.noises import noise

    rng = np.random.default_rng(3)
    for family in ("music-band", "breath-mouth"):
        sound = noise(family, 8 * 16_000, rng)
        sound = (sound * 0.016 / np.sqrt(np.mean(sound**2))).astype(np.float32)
        _, shapes, voice = stream(LearnedMouth(CANDIDATE), sound)
        assert (lip_aperture(shapes) < CLOSED_APERTURE).mean() >= 0.75, family
        assert (voice > 0.5).mean() <= 0.45, family


def test_a_push_of_no_hops_gives_no_rows():
    from runtime.audio.features import FeatureBlock

    for weights in (DEFAULT_WEIGHTS, CANDIDATE):
        rows = LearnedMouth(weights).push(FeatureBlock(0, np.zeros((0, 80), np.float32), np.zeros(0, np.float32)),
                                          np.zeros(0, np.float32))
        assert rows.visemes.shape == (0, 15) and rows.voice_activity.shape == (0,)
