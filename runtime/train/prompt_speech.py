"""A second, larger set of real recorded speech for validation: the English prompts of Asterisk's core
sounds, read by one speaker, Allison Smith (Debian `asterisk-core-sounds-en` for the transcripts,
`asterisk-core-sounds-en-g722` for the 16 kHz recordings; CC BY-SA 3.0): clear, read telephone-menu
speech — menus, digits, letters — 17 minutes of it aligned (of 24 recorded), against the LibriVox clips'
27 s. Used only to measure: no model trains on it, and nothing of it ships.

Each prompt is aligned by PocketSphinx as `real_speech` aligns the LibriVox clips; prompts with a word
its dictionary lacks, or that it cannot align, are left out (`PromptSet.skipped` says which). A stream
in use runs for minutes, so the prompts are scored strung together (`prompt_chains`), not one short
stream each: every stream's first second is a start-up (a mouth model hearing its first room).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.evaluation_sets import LabelledClip
from runtime.train.real_speech import AlignedClip, RealSpeechMissing, aligned_segments
from runtime.train.targets import VisemeSegment

SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
INSTALL = "apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-g722"
CHAIN_S = 60.0  # prompts are strung into streams about this long
# A phone keypad's keys as the menus say them ("press 1 to record", "press # to return").
SPOKEN = dict(zip("0123456789", ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
                  strict=True)) | {"#": "pound", "*": "star"}


Stream = tuple[np.ndarray, list[VisemeSegment]]  # float32 samples at 16 kHz and their labels


@dataclass(frozen=True)
class PromptSet:
    clips: tuple[AlignedClip, ...]
    skipped: tuple[tuple[str, str], ...]  # (prompt, why) left out


def transcripts(path: Path = TRANSCRIPTS) -> dict[str, str]:
    """Prompt name (its path under the sounds folder, no extension) → what is said, for the prompts
    that say words: entries in brackets or parentheses ("[this is a simple beep tone]", "(1 second of
    silence)") describe a sound, not speech."""
    if not path.is_file():
        raise RealSpeechMissing(f"no {path}: {INSTALL}")
    said = {}
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            name, colon, text = line.partition(":")
            text = text.strip()
            if not colon or line.startswith(";") or not text or text.startswith(("[", "(")):
                continue
            said[name.strip()] = text
    return said


def words(text: str, dictionary: Callable[[str], bool]) -> str | None:
    """A transcript as the aligner takes it: lower case, punctuation dropped ("party's" keeps its
    apostrophe, a hyphen parts two words), a key the menus name as it is said ("press 1", "press #");
    None when something said is not a word in the aligner's dictionary (a longer number, a sign, a
    name): aligned without it, the words around it would take its time."""
    tokens = [token.strip(".,;:!?\"()") for token in text.lower().replace("-", " ").split()]
    tokens = [SPOKEN.get(token, token) for token in tokens if token]
    if not tokens or not all(re.fullmatch(r"[a-z]+(?:'[a-z]+)*", token) and dictionary(token) for token in tokens):
        return None
    return " ".join(tokens)


def prompt_set(folder: Path = SOUNDS, transcript_file: Path = TRANSCRIPTS, limit: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> PromptSet:
    """Every English prompt with words (the first `limit`, in name order), decoded and aligned."""
    if not folder.is_dir():
        raise RealSpeechMissing(f"no {folder}: {INSTALL}")
    said = transcripts(transcript_file)
    in_dictionary = _dictionary()
    names = sorted(name for name in said if (folder / f"{name}.g722").is_file())[:limit]
    clips, skipped = [], []
    for done, name in enumerate(names, start=1):
        text = words(said[name], in_dictionary)
        if text is None:
            skipped.append((name, "a word not in the aligner's dictionary"))
        else:
            samples = _decoded(folder / f"{name}.g722")
            segments = _aligned(samples, text)
            if segments:
                clips.append(AlignedClip(name, samples.astype(np.float32) / 32768.0, text, tuple(segments)))
            else:
                skipped.append((name, "PocketSphinx could not align it"))
        if progress:
            progress(done, len(names))
    return PromptSet(tuple(clips), tuple(skipped))


def prompt_chains(clips: Sequence[AlignedClip], chain_s: float = CHAIN_S) -> list[Stream]:
    """The prompts strung together in order into streams of about `chain_s` seconds each: (samples,
    segments) with each prompt's segments moved to where it now starts. Each prompt keeps the silence
    recorded before and after it, which becomes the pauses between them."""
    chains, samples, segments, length = [], [], [], 0
    for clip in clips:
        offset = length / SAMPLE_RATE
        samples.append(clip.samples)
        segments += [VisemeSegment(s.viseme, s.start_s + offset, s.end_s + offset) for s in clip.segments]
        length += len(clip.samples)
        if length >= chain_s * SAMPLE_RATE:
            chains.append((np.concatenate(samples), segments))
            samples, segments, length = [], [], 0
    if samples:
        chains.append((np.concatenate(samples), segments))
    return chains


def prompt_streams(progress: Callable[[int, int], None] | None = None) -> list[LabelledClip]:
    """Every prompt aligned (`prompt_set`, `progress` as there) and strung into the streams the
    evaluation scores (`prompt_chains`)."""
    return [LabelledClip(samples, segments) for samples, segments in prompt_chains(prompt_set(progress=progress).clips)]


def _aligned(samples: np.ndarray, text: str) -> list[VisemeSegment]:
    """`real_speech.aligned_segments`, or [] where the aligner finds no path through the words (it
    raises) or aligns nothing but silence."""
    try:
        segments = aligned_segments(samples, text)
    except RuntimeError:  # PocketSphinx: "Failed to set up sub-word alignment"
        return []
    return segments if any(segment.viseme != "sil" for segment in segments) else []


def _decoded(path: Path) -> np.ndarray:
    """A raw G.722 file (16 kHz, 64 kbit/s) → int16 mono samples, through PyAV's FFmpeg."""
    import av

    with av.open(str(path), format="g722") as container:
        return np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)])


def _dictionary() -> Callable[[str], bool]:
    """Whether PocketSphinx's US-English dictionary (what `real_speech.align` aligns with) knows a word."""
    try:
        from pocketsphinx import get_model_path
    except ImportError as exc:
        raise RealSpeechMissing("pip install pocketsphinx") from exc
    known = set()
    with open(Path(get_model_path()) / "en-us" / "cmudict-en-us.dict", encoding="utf-8") as entries:
        for entry in entries:
            known.add(entry.split(" ", 1)[0])
    return known.__contains__
