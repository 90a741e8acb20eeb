"""Speech synthesis with sample-exact phoneme timings through eSpeak NG (ctypes, speak_lib.h 1.52).

Audio arrives through the synchronous synth callback together with phoneme events whose ``sample``
field is the exact output sample where each phoneme starts (``audio_position`` is rounded ms).

eSpeak keeps synthesis state in C globals, and some of it (pitch-flutter phase, automatic gain,
echo buffer, noise generator) carries over between utterances, so the same text would give
different samples depending on what was spoken before. To make the output a pure function of
``(text, options)``, each call loads a fresh image of a private copy of the library (~3 ms); that
also isolates us from other users of libespeak-ng in the process. eSpeak is not thread-safe, so
a module lock serialises all use.
"""

from __future__ import annotations

import _ctypes
import ctypes
import functools
import io
import os
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import espeakng_loader
import numpy as np

from runtime.atomic_file import write_atomically

__all__ = ["PhonemeEvent", "SpeechOptions", "SpeechSynthesisError", "SynthesizedSpeech",
           "available_voices", "synthesize", "write_wav"]

# Constants from speak_lib.h (eSpeak NG 1.52).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000  # report errors instead of calling exit()
# eSpeak NG's noise generator (the breath of variants such as f2, f5, victor, caleb) starts from a seed
# that differs from process to process (it moved with the library's load address): the same plan gave
# other samples in each worker and each run. Seeded, every process speaks the same bytes.
_RANDOM_SEED = 1234
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_EVENT_SAMPLERATE = 8
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4
_MIN_WPM, _MAX_WPM = 80, 450  # espeakRATE_MINIMUM / espeakRATE_MAXIMUM


class SpeechSynthesisError(RuntimeError):
    """eSpeak NG could not be loaded or failed to synthesise."""


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """espeak_EVENT; 40 bytes on 64-bit Linux (``id`` at offset 32)."""

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int),  # ms: we use ``sample``
                ("sample", ctypes.c_int), ("user_data", ctypes.c_void_p), ("id", _EventId)]


class _Voice(ctypes.Structure):
    """espeak_VOICE; ``languages`` is a packed list of (priority byte, NUL-terminated code)."""

    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_void_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.POINTER(_Event))


def _check_int(field: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"SpeechOptions.{field} must be an int in [{low}, {high}], got {value!r}")


def _check_name(field: str, value: object) -> None:
    if not isinstance(value, str) or not value or "+" in value or any(c.isspace() for c in value):
        raise ValueError(f"SpeechOptions.{field} must be a bare eSpeak name, got {value!r}")


@dataclass(frozen=True)
class SpeechOptions:
    """How to speak. Ranges are checked here; whether ``voice`` and ``variant`` exist is checked by
    :func:`synthesize`, since that needs the library and building options must not load it."""

    voice: str = "en-us"  # a name from available_voices()
    words_per_minute: int = 160
    pitch: int = 50  # 0..100, eSpeak's base-pitch scale
    pitch_range: int = 50  # 0..100, 0 is monotone
    variant: str | None = None  # e.g. "m3", "f2": spoken as voice "en-us+f2"

    def __post_init__(self) -> None:
        _check_name("voice", self.voice)
        _check_int("words_per_minute", self.words_per_minute, _MIN_WPM, _MAX_WPM)
        _check_int("pitch", self.pitch, 0, 100)
        _check_int("pitch_range", self.pitch_range, 0, 100)
        if self.variant is not None:
            _check_name("variant", self.variant)


@dataclass(frozen=True)
class PhonemeEvent:
    """One phoneme: eSpeak's own mnemonic (stress marks ``'``/``,`` included, ``_:``/``_`` for
    pauses) and the output sample where it starts."""

    phoneme: str
    start_sample: int


@dataclass(frozen=True)
class SynthesizedSpeech:
    """Mono PCM16 audio with the phonemes eSpeak reported for it."""

    samples: np.ndarray  # int16, mono
    sample_rate: int
    phonemes: tuple[PhonemeEvent, ...]

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def as_float32(self) -> np.ndarray:
        """Samples scaled to [-1, 1)."""
        return self.samples.astype(np.float32) / np.float32(32768.0)


_LOCK = threading.Lock()
_image_path: str | None = None


def _library_image() -> str:
    """Path of a private in-memory copy of libespeak-ng, made once on first use.

    A file of its own is what makes dlopen give us a separate instance; a memfd (Linux) leaves
    nothing on disk to clean up and stays open for the life of the process.
    """
    global _image_path
    if _image_path is None:
        if not hasattr(os, "memfd_create"):
            raise SpeechSynthesisError("eSpeak NG synthesis needs Linux (os.memfd_create)")
        fd = os.memfd_create("facecast-espeak-ng")
        with open(fd, "wb", closefd=False) as image:
            image.write(Path(espeakng_loader.get_library_path()).read_bytes())
        _image_path = f"/proc/self/fd/{fd}"
    return _image_path


def _declare(lib: ctypes.CDLL) -> None:
    c = ctypes
    lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
    lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
    lib.espeak_Synth.argtypes = [c.c_void_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint,
                                 c.c_void_p, c.c_void_p]
    lib.espeak_ng_SetRandSeed.argtypes = [c.c_long]
    lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_ListVoices.argtypes = [c.c_void_p]
    lib.espeak_ListVoices.restype = c.POINTER(c.POINTER(_Voice))


@contextmanager
def _engine() -> Iterator[tuple[ctypes.CDLL, int]]:
    """A freshly loaded, initialised eSpeak and its sample rate; hold _LOCK."""
    try:
        lib = ctypes.CDLL(_library_image())
    except OSError as exc:
        raise SpeechSynthesisError(f"cannot load eSpeak NG: {exc}") from exc
    initialised = False
    try:
        _declare(lib)
        data = espeakng_loader.get_data_path().encode()
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data,
                                     _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise SpeechSynthesisError(f"eSpeak NG failed to initialise with data at {data.decode()}")
        initialised = True
        lib.espeak_ng_SetRandSeed(_RANDOM_SEED)
        yield lib, rate
    finally:
        if initialised:
            lib.espeak_Terminate()
        _ctypes.dlclose(lib._handle)  # drop the image so the next call starts clean


def _check(status: int, what: str) -> None:
    if status != 0:
        raise SpeechSynthesisError(f"eSpeak NG {what} failed with status {status}")


def _languages(packed: int) -> Iterator[tuple[int, str]]:
    while priority := ctypes.c_ubyte.from_address(packed).value:
        code = ctypes.string_at(packed + 1)
        yield priority, code.decode()
        packed += len(code) + 2


def _has_dictionary(identifier: str) -> bool:
    """Whether the voice's dictionary is installed: the wheel lacks a few (fo, kaa, xex), and such
    voices load but cannot pronounce anything."""
    data = Path(espeakng_loader.get_data_path())
    dictionary = language = None
    for line in (data / "lang" / identifier).read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition(" ")
        if key == "dictionary":
            dictionary = value.split()[0]
        elif key == "language" and language is None:
            language = value.split()[0]
    name = dictionary or (language or identifier.rsplit("/", 1)[-1]).split("-")[0]
    return (data / f"{name.lower()}_dict").is_file()


@functools.lru_cache(maxsize=1)
def _voice_table() -> dict[str, str]:
    """Language code -> voice identifier. espeak_SetVoiceByName matches file names, not language
    codes ("en-gb" lives in "gmw/en"), so we resolve codes ourselves, preferring the voice that
    ranks the code highest (lowest priority number)."""
    best: dict[str, tuple[int, str]] = {}
    with _LOCK, _engine() as (lib, _):
        voices = lib.espeak_ListVoices(None)  # excludes mbrola voices and variants
        for index in range(1_000_000):
            if not voices[index]:
                break
            voice = voices[index].contents
            identifier = voice.identifier.decode()
            if not _has_dictionary(identifier):
                continue
            for priority, code in _languages(voice.languages):
                code = code.lower()  # one spelling, so lookups can be case-insensitive
                if code not in best or priority < best[code][0]:
                    best[code] = (priority, identifier)
    return {code: identifier for code, (_, identifier) in best.items()}


@functools.lru_cache(maxsize=1)
def _variants() -> frozenset[str]:
    return frozenset(p.name for p in (Path(espeakng_loader.get_data_path()) / "voices" / "!v").iterdir())


def available_voices() -> list[str]:
    """Voice names accepted by ``SpeechOptions.voice`` (eSpeak language codes)."""
    return sorted(_voice_table())


def _voice_spec(options: SpeechOptions) -> str:
    identifier = _voice_table().get(options.voice.lower())
    if identifier is None:
        raise ValueError(f"SpeechOptions.voice {options.voice!r} is not an installed eSpeak voice")
    if options.variant is None:
        return identifier
    if options.variant not in _variants():
        raise ValueError(f"SpeechOptions.variant {options.variant!r} is not an eSpeak voice variant")
    return f"{identifier}+{options.variant}"


class _Recorder:
    """Collects audio and phoneme events from eSpeak's synth callback."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.phonemes: list[PhonemeEvent] = []
        self.rates: set[int] = set()
        self.error: BaseException | None = None
        # Referenced here so the C side never calls a collected trampoline.
        self.callback = _SynthCallback(self._on_synth)

    def _on_synth(self, wav, count: int, events) -> int:
        try:
            if wav and count > 0:
                self.chunks.append(ctypes.string_at(wav, count * 2))
            index = 0
            while events and events[index].type != _EVENT_LIST_TERMINATED:
                self._on_event(events[index])
                index += 1
            return 0
        except BaseException as exc:  # cannot cross into C: abort, re-raise afterwards
            self.error = exc
            return 1

    def _on_event(self, event: _Event) -> None:
        if event.type == _EVENT_PHONEME:
            raw = ctypes.string_at(ctypes.addressof(event.id), 8)  # char[8], maybe unterminated
            mnemonic = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            self.phonemes.append(PhonemeEvent(mnemonic, event.sample))
        elif event.type == _EVENT_SAMPLERATE:
            self.rates.add(event.id.number)

    def result(self, sample_rate: int) -> SynthesizedSpeech:
        if self.error is not None:
            raise SpeechSynthesisError(f"synth callback failed: {self.error!r}") from self.error
        if self.rates - {sample_rate}:
            raise SpeechSynthesisError(f"voice switched sample rate to {sorted(self.rates)}")
        samples = np.frombuffer(bytearray(b"".join(self.chunks)), dtype=np.int16)
        return SynthesizedSpeech(samples, sample_rate, tuple(self.phonemes))


def synthesize(text: str, options: SpeechOptions = SpeechOptions()) -> SynthesizedSpeech:
    """Speak ``text``; identical inputs give bit-identical output."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty, non-blank string")
    if "\0" in text:
        raise ValueError("text must not contain NUL characters")
    voice = _voice_spec(options)  # before taking _LOCK: it may load the library itself
    encoded = text.encode("utf-8") + b"\0"
    recorder = _Recorder()
    with _LOCK, _engine() as (lib, sample_rate):
        lib.espeak_SetSynthCallback(recorder.callback)
        _check(lib.espeak_SetVoiceByName(voice.encode()), f"selecting voice {voice!r}")
        # After the voice, because voice files may carry their own pitch settings.
        for parameter, value in ((_PARAM_RATE, options.words_per_minute), (_PARAM_PITCH, options.pitch),
                                 (_PARAM_RANGE, options.pitch_range)):
            _check(lib.espeak_SetParameter(parameter, value, 0), f"setting parameter {parameter}")
        _check(lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None),
               "synthesis")
        _check(lib.espeak_Synchronize(), "synchronize")
    return recorder.result(sample_rate)


def write_wav(path: str | os.PathLike[str], speech: SynthesizedSpeech) -> None:
    """Write 16-bit mono PCM; readers never see a half-written file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(np.asarray(speech.samples, dtype="<i2").tobytes())
    write_atomically(path, buffer.getvalue())
