"""Behaviour of the eSpeak NG synthesis wrapper (runtime/train/espeak.py)."""

from __future__ import annotations

import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from runtime.train.espeak import (
    PhonemeEvent,
    SpeechOptions,
    SpeechSynthesisError,
    SynthesizedSpeech,
    available_voices,
    synthesize,
    write_wav,
)

SENTENCE = "Peter picked a bowl of mushrooms before the morning market opened."
LANGUAGES = {
    "en-us": "The weather is lovely today.",
    "en-gb": "The weather is lovely today.",
    "de": "Das Wetter ist heute schön.",
    "fr": "Il fait très beau aujourd'hui.",
    "es": "Hoy hace muy buen tiempo.",
    "it": "Oggi il tempo è bellissimo.",
    "pt": "O tempo está ótimo hoje.",
    "nl": "Het weer is vandaag prachtig.",
    "pl": "Dzisiaj jest piękna pogoda.",
    "ru": "Сегодня прекрасная погода.",
}


@pytest.fixture(scope="module")
def speech() -> SynthesizedSpeech:
    return synthesize(SENTENCE)


def test_english_sentence_gives_seconds_of_audible_22050_hz_pcm16(speech: SynthesizedSpeech) -> None:
    assert speech.sample_rate == 22050
    assert speech.samples.dtype == np.int16 and speech.samples.ndim == 1
    assert 1.0 <= speech.duration_s <= 6.0
    rms = np.sqrt(np.mean(speech.as_float32() ** 2))
    assert rms > 0.01
    assert np.abs(speech.samples).max() > 3000


def test_as_float32_scales_into_unit_interval(speech: SynthesizedSpeech) -> None:
    audio = speech.as_float32()
    assert audio.dtype == np.float32
    assert audio.min() >= -1.0 and audio.max() < 1.0
    np.testing.assert_array_equal(audio * 32768.0, speech.samples.astype(np.float32))


def test_phoneme_events_are_ordered_and_lie_within_the_audio(speech: SynthesizedSpeech) -> None:
    starts = [event.start_sample for event in speech.phonemes]
    assert len(starts) > 20
    assert starts == sorted(starts)
    assert starts[0] >= 0 and starts[-1] <= len(speech.samples)
    assert all(isinstance(event, PhonemeEvent) and event.phoneme for event in speech.phonemes)


def test_bilabial_phonemes_are_reported_for_a_sentence_containing_them(speech: SynthesizedSpeech) -> None:
    mnemonics = {event.phoneme for event in speech.phonemes}
    assert {"p", "b", "m"} <= mnemonics


def test_phoneme_events_stay_ordered_across_sentences() -> None:
    speech = synthesize("Hello there. How are you today? I am fine, thanks.")
    starts = [event.start_sample for event in speech.phonemes]
    assert starts == sorted(starts)
    assert starts[-1] <= len(speech.samples)
    assert [e.phoneme for e in speech.phonemes].count("_:") >= 3  # one pause per sentence at least


def test_same_text_gives_identical_samples_whatever_was_spoken_before() -> None:
    first = synthesize(SENTENCE)
    synthesize("Something entirely different, with breathy voice.", SpeechOptions(variant="f2"))
    second = synthesize(SENTENCE)
    np.testing.assert_array_equal(first.samples, second.samples)
    assert first.phonemes == second.phonemes


BREATHY = """
import hashlib
from runtime.train.espeak import SpeechOptions, synthesize
speech = synthesize("Pabo mikel dunta tesko.", SpeechOptions("hu", 160, 50, 50, "victor"))
print(hashlib.sha256(speech.samples.tobytes()).hexdigest())
"""


def test_a_breathy_variant_speaks_the_same_bytes_in_every_process() -> None:
    """Variants with breath (f2, f5, victor, caleb, ...) use eSpeak's noise generator, whose seed moved
    from process to process: corpus workers and evaluation runs spoke other samples each time."""
    digests = {subprocess.run([sys.executable, "-c", BREATHY], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parents[1]).stdout for _ in range(3)}
    assert len(digests) == 1


def test_concurrent_calls_match_serial_output(speech: SynthesizedSpeech) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: synthesize(SENTENCE), range(6)))
    for result in results:
        np.testing.assert_array_equal(result.samples, speech.samples)


def test_faster_rate_gives_shorter_audio() -> None:
    slow = synthesize(SENTENCE, SpeechOptions(words_per_minute=120))
    fast = synthesize(SENTENCE, SpeechOptions(words_per_minute=300))
    assert fast.duration_s < 0.7 * slow.duration_s


def test_pitch_and_variant_change_the_audio(speech: SynthesizedSpeech) -> None:
    higher = synthesize(SENTENCE, SpeechOptions(pitch=90))
    female = synthesize(SENTENCE, SpeechOptions(variant="f2"))
    for other in (higher, female):
        assert len(other.samples) != len(speech.samples) or not np.array_equal(other.samples, speech.samples)


def test_available_voices_cover_the_common_languages() -> None:
    voices = available_voices()
    assert voices == sorted(voices)
    assert set(LANGUAGES) <= set(voices)


@pytest.mark.parametrize("voice", sorted(LANGUAGES))
def test_at_least_eight_languages_synthesise(voice: str) -> None:
    speech = synthesize(LANGUAGES[voice], SpeechOptions(voice=voice))
    assert speech.duration_s > 0.5
    assert np.abs(speech.samples).max() > 1000
    assert len(speech.phonemes) > 5


def test_unknown_voice_raises_value_error_naming_the_field() -> None:
    with pytest.raises(ValueError, match="voice"):
        synthesize("hello", SpeechOptions(voice="xx-nowhere"))


def test_voice_with_a_variant_suffix_is_rejected() -> None:
    with pytest.raises(ValueError, match="voice"):
        SpeechOptions(voice="en-us+f2")


def test_unknown_variant_raises_value_error_naming_the_field() -> None:
    with pytest.raises(ValueError, match="variant"):
        synthesize("hello", SpeechOptions(variant="nonexistent"))


@pytest.mark.parametrize("rate", [79, 451, 0, -160])
def test_out_of_range_rate_raises_value_error(rate: int) -> None:
    with pytest.raises(ValueError, match="words_per_minute"):
        SpeechOptions(words_per_minute=rate)


@pytest.mark.parametrize(("field", "value"), [("pitch", 101), ("pitch", -1), ("pitch_range", 200)])
def test_out_of_range_pitch_raises_value_error(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=field):
        SpeechOptions(**{field: value})


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        synthesize(text)


def test_library_failure_raises_one_line_runtime_error(monkeypatch, speech: SynthesizedSpeech) -> None:
    monkeypatch.setattr("espeakng_loader.get_data_path", lambda: "/nonexistent/espeak-ng-data")
    with pytest.raises(SpeechSynthesisError) as caught:
        synthesize("hello")
    assert isinstance(caught.value, RuntimeError)
    assert "\n" not in str(caught.value) and "/nonexistent" in str(caught.value)


def test_write_wav_round_trips_through_wave_module(tmp_path, speech: SynthesizedSpeech) -> None:
    path = tmp_path / "speech.wav"
    write_wav(path, speech)
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getframerate() == speech.sample_rate
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(frames, speech.samples)
    assert [p.name for p in tmp_path.iterdir()] == ["speech.wav"]  # no temp file left behind


def test_write_wav_replaces_an_existing_file(tmp_path, speech: SynthesizedSpeech) -> None:
    path = tmp_path / "speech.wav"
    path.write_bytes(b"old")
    write_wav(path, speech)
    with wave.open(str(path), "rb") as wav:
        assert wav.getnframes() == len(speech.samples)
