"""Real recorded speech for validation: the LibriVox clips (public domain) and `goforward.raw` in
Debian's `pocketsphinx-testdata`, with phone times from PocketSphinx forced alignment (PyPI
`pocketsphinx`, its bundled US-English model) turned into visemes like the training targets."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.train.pronunciations import Pronounced
from runtime.train.targets import VisemeSegment, merge_segments
from runtime.train.visemes import arpabet_viseme

TESTDATA = Path("/usr/share/pocketsphinx/test/data")
EXTRA_CLIPS = {"goforward.raw": "go forward ten meters"}  # 16 kHz s16 raw, transcript from PocketSphinx's tests


class RealSpeechMissing(RuntimeError):
    """pocketsphinx-testdata (Debian) or pocketsphinx (PyPI) is not installed."""


@dataclass(frozen=True)
class AlignedClip:
    name: str
    samples: np.ndarray  # float32 mono, 16 kHz
    transcript: str
    segments: tuple[VisemeSegment, ...]


def _librivox(folder: Path) -> list[tuple[str, np.ndarray, str]]:
    clips = []
    for line in (folder / "librivox" / "transcription").read_text().splitlines():
        text, _, name = line.rpartition("(")
        name = name.strip(") ")
        with wave.open(str(folder / "librivox" / f"{name}.wav"), "rb") as audio:
            samples = np.frombuffer(audio.readframes(audio.getnframes()), "<i2")
        clips.append((name, samples, text.replace("<s>", "").replace("</s>", "").strip()))
    return clips


def _raw(folder: Path) -> list[tuple[str, np.ndarray, str]]:
    return [(name, np.fromfile(folder / name, "<i2"), text) for name, text in EXTRA_CLIPS.items()]


def align(samples: np.ndarray, transcript: str) -> list[tuple[str, float]]:
    """(ARPAbet phone, start seconds) from PocketSphinx forced alignment of 16 kHz PCM16."""
    return [phone for _, phones in _aligned_words(samples, transcript, {}) for phone in phones]


def align_pronounced(samples: np.ndarray, words: Sequence[Pronounced]) -> list[tuple[str, float]]:
    """(viseme, start seconds) of each phone of `words`, each given as labelled US-English phones
    (`pronunciations.pronounce`), force-aligned in 16 kHz PCM16 as `align` aligns a transcript; the
    silences and noises between them are `sil`."""
    names = {pronounced: f"w{index}" for index, pronounced in enumerate(dict.fromkeys(words))}
    labels = {name: [viseme for _, viseme in pronounced] for pronounced, name in names.items()}
    aligned = _aligned_words(samples, " ".join(names[word] for word in words),
                             {name: " ".join(phone for phone, _ in pronounced) for pronounced, name in names.items()})
    return [(labels[word][index] if word in labels else arpabet_viseme(phone), start)
            for word, phones in aligned for index, (phone, start) in enumerate(phones)]


def _aligned_words(samples: np.ndarray, transcript: str,
                   added: dict[str, str]) -> list[tuple[str, list[tuple[str, float]]]]:
    """(word, [(ARPAbet phone, start seconds)]) in order from PocketSphinx forced alignment of 16 kHz
    PCM16 and its transcript; `added`: words the dictionary lacks, name → ARPAbet phones."""
    try:
        from pocketsphinx import Decoder
    except ImportError as exc:
        raise RealSpeechMissing("pip install pocketsphinx") from exc
    data = samples.astype("<i2").tobytes()
    decoder = Decoder(samprate=16000, bestpath=False, loglevel="FATAL")
    for name, phones in added.items():
        decoder.add_word(name, phones, True)
    decoder.set_align_text(transcript)
    for _ in range(2):  # first pass finds the words, the second aligns their phones
        decoder.start_utt()
        decoder.process_raw(data, full_utt=True)
        decoder.end_utt()
        if _ == 0:
            decoder.set_alignment()
    # Read while the decoder lives: the alignment's words point into its memory.
    return [(word.name, [(phone.name, phone.start * HOP_S) for phone in word]) for word in decoder.get_alignment()]


def aligned_segments(samples: np.ndarray, transcript: str) -> list[VisemeSegment]:
    """Viseme segments of 16 kHz PCM16 speech from its transcript's forced alignment, made exactly as
    the training targets are made from a synthesiser's phones."""
    phones = align(samples, transcript)
    return merge_segments([(arpabet_viseme(phone), start) for phone, start in phones], len(samples) / 16000)


def pronounced_segments(samples: np.ndarray, words: Sequence[Pronounced]) -> list[VisemeSegment]:
    """Viseme segments of 16 kHz PCM16 speech from its words' pronunciations (`align_pronounced`), made
    as `aligned_segments` makes them from a transcript."""
    return merge_segments(align_pronounced(samples, words), len(samples) / 16000)


def real_clips(folder: Path = TESTDATA, names: Sequence[str] | None = None) -> list[AlignedClip]:
    """The clips (all, or those named), aligned."""
    if not (folder / "librivox").is_dir():
        raise RealSpeechMissing(f"no {folder}/librivox: apt-get install pocketsphinx-testdata")
    clips = []
    for name, samples, transcript in _librivox(folder) + _raw(folder):
        if names is not None and name not in names:
            continue
        segments = aligned_segments(samples, transcript)
        clips.append(AlignedClip(name, samples.astype(np.float32) / 32768.0, transcript, tuple(segments)))
    return clips
