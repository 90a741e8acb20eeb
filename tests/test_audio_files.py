"""Audio files through a real decoder (FFmpeg via PyAV), and clear errors for everything else."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.files import load_audio
from runtime.errors import InvalidAudioError
from tests.audio_files import ENCODERS, write_audio


@pytest.mark.parametrize("suffix", sorted(ENCODERS))
def test_common_formats_decode_to_mono_float(tmp_path, speech, suffix):
    path = write_audio(tmp_path / f"speech{suffix}", speech.samples, speech.sample_rate)
    decoded = load_audio(path)
    assert decoded.samples.dtype == np.float32
    assert decoded.duration_s == pytest.approx(speech.duration_s, abs=0.1)  # codecs pad a little
    assert 0.01 < np.sqrt(np.mean(decoded.samples**2)) < 0.5
    assert np.abs(decoded.samples).max() <= 1.0


def test_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(InvalidAudioError, match="no such file"):
        load_audio(tmp_path / "nothing.wav")


@pytest.mark.parametrize("content", [b"", b"this is not audio at all\n" * 50, bytes(range(256)) * 40])
def test_non_audio_is_one_clear_error(tmp_path, content):
    path = tmp_path / "fake.wav"
    path.write_bytes(content)
    with pytest.raises(InvalidAudioError) as failure:
        load_audio(path)
    assert str(failure.value).startswith(str(path))
    assert "\n" not in str(failure.value)
