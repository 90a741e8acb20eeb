"""Small pieces: ARKit names, PCM decoding, resampling and features under chunking, settings."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from runtime.arkit import BLENDSHAPE_NAMES, NUM_BLENDSHAPES, VISEME_NAMES, blendshape_index
from runtime.audio.features import StreamingLogMel
from runtime.audio.pcm import AudioEncoding, decode_pcm, encode_pcm16
from runtime.audio.resample import StreamingResampler
from runtime.errors import InvalidAudioError, InvalidConfigError
from runtime.motion.viseme_targets import viseme_pose_matrix
from runtime.types import POSE_WIDTH, HeadPose, PoseColumn
from service.settings import ServerSettings, resolve_settings


@pytest.mark.parametrize("spelling", ["eyeBlinkLeft", "EyeBlinkLeft", "eyeBlink_L", "EYEBLINKLEFT"])
def test_blendshape_names_match_across_engine_spellings(spelling):
    assert blendshape_index(spelling) == 0


def test_names_are_apple_and_ovr_order():
    assert NUM_BLENDSHAPES == 52 and len(set(BLENDSHAPE_NAMES)) == 52
    assert BLENDSHAPE_NAMES[17] == "jawOpen" and BLENDSHAPE_NAMES[-1] == "tongueOut"
    assert VISEME_NAMES == ("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "ih", "oh", "ou")
    with pytest.raises(KeyError):
        blendshape_index("mouthSmile")


def test_pose_columns_are_the_head_pose_fields_in_order():
    pose = HeadPose(pitch_deg=1.0, yaw_deg=2.0, roll_deg=3.0, x=4.0, y=5.0, z=6.0)
    assert [field.name for field in fields(HeadPose)] == ["pitch_deg", "yaw_deg", "roll_deg", "x", "y", "z"]
    assert [pose.as_array()[column] for column in PoseColumn] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert POSE_WIDTH == 6 and HeadPose.from_array(pose.as_array()) == pose


def test_silence_viseme_is_a_rest_pose():
    poses = viseme_pose_matrix()
    assert not poses[0].any() and poses[VISEME_NAMES.index("aa"), blendshape_index("jawOpen")] > 0.5


def test_pcm16_round_trips_and_rejects_partial_samples():
    samples = np.array([0.0, 0.5, -0.5, -1.0], np.float32)
    assert np.allclose(decode_pcm(encode_pcm16(samples), AudioEncoding.PCM_S16LE), samples, atol=1e-4)
    with pytest.raises(InvalidAudioError, match="multiple of 2"):
        decode_pcm(b"\0\0\0", AudioEncoding.PCM_S16LE)
    with pytest.raises(InvalidAudioError, match="multiple of 4"):
        decode_pcm(b"\0" * 6, AudioEncoding.FLOAT32LE)


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
def test_resampler_is_chunk_invariant_and_keeps_the_signal(rate):
    times = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * times)).astype(np.float32)
    whole = _pieces(StreamingResampler(rate), tone, len(tone))
    small = _pieces(StreamingResampler(rate), tone, 37)
    assert np.array_equal(whole, small)
    assert len(whole) == pytest.approx(16_000, abs=1)
    expected = 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(len(whole)) / 16_000)
    interior = slice(100, -100)
    assert np.sqrt(np.mean((whole[interior] - expected[interior]) ** 2)) < 0.005


def test_resampler_removes_what_16k_cannot_hold():
    times = np.arange(48_000) / 48_000
    above_nyquist = np.sin(2 * np.pi * 12_000.0 * times).astype(np.float32)  # would alias to 4 kHz
    output = _pieces(StreamingResampler(48_000), above_nyquist, 960)
    assert np.sqrt(np.mean(output[200:-200] ** 2)) < 0.003


def test_log_mel_is_chunk_invariant(speech):
    samples = _pieces(StreamingResampler(speech.sample_rate), speech.samples, len(speech.samples))
    whole = StreamingLogMel().push(samples)
    extractor = StreamingLogMel()
    blocks = [extractor.push(samples[i:i + 333]) for i in range(0, len(samples), 333)]
    assert np.array_equal(np.concatenate([b.log_mel for b in blocks]), whole.log_mel)
    assert np.array_equal(np.concatenate([b.energy_db for b in blocks]), whole.energy_db)
    assert whole.log_mel.shape == (len(samples) // 160, 80)


def _pieces(resampler: StreamingResampler, samples: np.ndarray, size: int) -> np.ndarray:
    out = [resampler.push(samples[i:i + size]) for i in range(0, len(samples), size)]
    return np.concatenate([*out, resampler.flush()])


def test_settings_take_flags_then_environment_then_defaults():
    environ = {"FACECAST_PORT": "6000", "FACECAST_LOG_FORMAT": "json", "FACECAST_GRACE_S": "3.5"}
    settings = resolve_settings({"port": 7000, "host": None}, environ)
    assert settings.port == 7000 and settings.log_format == "json" and settings.grace_s == 3.5
    assert settings.host == ServerSettings().host


@pytest.mark.parametrize("environ, field", [({"FACECAST_PORT": "eighty"}, "FACECAST_PORT"),
                                            ({"FACECAST_PORT": "70000"}, "port"),
                                            ({"FACECAST_LOG_FORMAT": "xml"}, "log_format"),
                                            ({"FACECAST_RENDER_THREADS": "0"}, "render_threads"),
                                            ({"FACECAST_RENDER_BATCHES": "0"}, "render_batches"),
                                            ({"FACECAST_RENDER_PROCESSES": "-2"}, "render_processes"),
                                            ({"FACECAST_DEVICE": "gpu"}, "device")])
def test_bad_settings_are_one_clear_error(environ, field):
    with pytest.raises(InvalidConfigError, match=field):
        resolve_settings({}, environ)


def test_streaming_iir_matches_scipy_lfilter_in_any_pieces():
    from scipy.signal import butter, lfilter

    from runtime.numerics import StreamingIir

    b, a = butter(2, [0.6, 2.0], btype="band", fs=100)
    signal = np.random.default_rng(3).standard_normal((500, 3))
    expected = lfilter(b, a, signal, axis=0).astype(np.float32)
    streaming = StreamingIir(b, a, 3)
    pieces = [streaming.push(signal[i:i + size]) for i, size in ((0, 1), (1, 7), (8, 0), (8, 492))]
    assert np.array_equal(np.concatenate(pieces), expected)


def test_a_streaming_fir_filter_keeps_its_last_inputs_and_runs_sessions_side_by_side():
    """An FIR design (a == [1], the learned mouth's jaw filter) holds its last len(b) - 1 inputs between
    pieces, and many sessions' filters run in one call give each what it gets alone."""
    from scipy.signal import lfilter

    from runtime.numerics import StreamingIir

    taps = [0.5, 0.3, 0.15, 0.05]
    signal = np.random.default_rng(6).standard_normal((40, 3))
    expected = lfilter(taps, [1.0], signal, axis=0).astype(np.float32)
    streaming = StreamingIir(taps, [1.0], 3)
    pieces = [streaming.push(signal[i:i + size]) for i, size in ((0, 1), (1, 0), (1, 2), (3, 37))]
    assert np.array_equal(np.concatenate(pieces), expected)
    sessions = [StreamingIir(taps, [1.0], 1) for _ in range(3)]
    together = np.concatenate([StreamingIir.push_many(sessions, signal[i:i + 5, :, None])[:, :, 0]
                               for i in range(0, 40, 5)])
    assert np.array_equal(together, expected)


def test_filters_of_one_design_share_it_and_keep_their_own_state():
    """Sessions open many filters of the same few designs, made once (numerics._iir_design): filters
    built from one design run alone, and the shared coefficients cannot be written through one."""
    from scipy.signal import butter, lfilter

    from runtime.numerics import StreamingIir

    b, a = butter(2, 0.2, btype="low", fs=100)
    signal = np.random.default_rng(4).standard_normal((50, 1))
    first = StreamingIir(b, a, 1, initial=1.0)
    first.push(signal)
    second = StreamingIir(b, a, 1)  # the same design, opened after the first has run
    assert np.array_equal(second.push(signal), lfilter(b, a, signal, axis=0).astype(np.float32))
    with pytest.raises(ValueError):
        first._b[0] = 0.0


def test_a_row_blocked_product_gives_each_row_the_bits_it_gets_alone():
    """The warp's basis product runs four frames' rows at a time (numerics.blocked_rows_matmul): a row's
    result must not depend on how many rows came with it or where it sat in its block."""
    import torch

    from runtime.numerics import blocked_rows_matmul

    generator = torch.Generator().manual_seed(5)
    matrix = torch.randn(478, 700, generator=generator)
    rows = torch.randn(11, 478, generator=generator) * 20
    together = blocked_rows_matmul(rows, matrix, 8)
    assert together.shape == (11, 700)
    alone = torch.cat([blocked_rows_matmul(rows[i:i + 1], matrix, 8) for i in range(len(rows))])
    assert torch.equal(together, alone)
    assert torch.allclose(together, rows @ matrix, rtol=1e-4, atol=1e-3)
    assert blocked_rows_matmul(rows[:0], matrix, 8).shape == (0, 700)
