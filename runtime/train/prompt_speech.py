"""Real recorded speech from Asterisk's core sounds (Debian `asterisk-core-sounds-XX` for the transcripts,
`asterisk-core-sounds-XX-g722` for the 16 kHz recordings): clear, read telephone-menu speech — menus,
digits, letters — one talker per language.

- English, read by Allison Smith (CC BY-SA 3.0): a second, larger set of real speech for validation, 17
  minutes of it aligned (of 24 recorded), against the LibriVox clips' 27 s. Used only to measure: no model
  trains on it, and nothing of it ships.
- Italian, recorded by Carlo Flora, and Russian, provided by Maxim Topal of ivrvoice.ru (both CC BY 3.0:
  use with attribution, the model card's licences): real talkers that train weights version 5
  (`corpus.CorpusOptions.recorded_prompt_languages`, `training_prompt`). PocketSphinx has no dictionary
  for them, so each word is pronounced by eSpeak NG in its language, in US-English phones
  (`pronunciations.py`).

Each prompt is aligned by PocketSphinx as `real_speech` aligns the LibriVox clips; prompts with a word
it cannot pronounce, or that it cannot align, are left out (`PromptSet.skipped` says which). A stream
in use runs for minutes, so the English prompts are scored strung together (`prompt_chains`), not one
short stream each: every stream's first second is a start-up (a mouth model hearing its first room).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.evaluation_sets import LabelledClip
from runtime.train.pronunciations import Pronounced, pronounce
from runtime.train.real_speech import AlignedClip, RealSpeechMissing, aligned_segments, pronounced_segments
from runtime.train.targets import VisemeSegment

CHAIN_S = 60.0  # prompts are strung into streams about this long
# A phone keypad's keys as the menus say them ("press 1 to record", "press # to return").
SPOKEN = dict(zip("0123456789", ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
                  strict=True)) | {"#": "pound", "*": "star"}
PUNCTUATION = ".,;:!\"()«»“”„…–—/"
LOUD_PAUSE = 0.3  # an aligned pause this loud against the talker's speech (RMS) is speech (`pauses_are_quiet`)
A_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters or digits, apostrophes inside ("dell'operatore")


@dataclass(frozen=True)
class PromptLanguage:
    code: str  # Asterisk's: "en", "it", "ru"
    folder: str  # the talker's folder under /usr/share/asterisk/sounds
    voice: str | None  # the eSpeak NG voice that pronounces its words; None: PocketSphinx's own dictionary

    @property
    def sounds(self) -> Path:
        return Path("/usr/share/asterisk/sounds") / self.folder

    @property
    def transcripts(self) -> Path:
        return Path(f"/usr/share/doc/asterisk-core-sounds-{self.code}/core-sounds-{self.code}.txt.gz")

    @property
    def install(self) -> str:
        return f"apt-get install asterisk-core-sounds-{self.code} asterisk-core-sounds-{self.code}-g722"


LANGUAGES = {language.code: language for language in (
    PromptLanguage("en", "en_US_f_Allison", None),
    PromptLanguage("it", "it_IT_m_Carlo", "it"),
    PromptLanguage("ru", "ru_RU_f_IvrvoiceRU", "ru"),
)}
ENGLISH = LANGUAGES["en"]


class PromptLeftOut(RuntimeError):
    """A prompt that cannot be aligned: a word the aligner cannot pronounce, or no path through its words."""


Stream = tuple[np.ndarray, list[VisemeSegment]]  # float32 samples at 16 kHz and their labels


@dataclass(frozen=True)
class PromptSet:
    clips: tuple[AlignedClip, ...]
    skipped: tuple[tuple[str, str], ...]  # (prompt, why) left out


@cache
def transcripts(language: PromptLanguage = ENGLISH) -> dict[str, str]:
    """Prompt name (its path under the sounds folder, no extension) → what is said, for the prompts
    that say words: entries in brackets or parentheses ("[this is a simple beep tone]", "(1 second of
    silence)") describe a sound, not speech."""
    path = language.transcripts
    if not path.is_file():
        raise RealSpeechMissing(f"no {path}: {language.install}")
    said = {}
    with gzip.open(path, "rt", encoding="utf-8-sig", errors="replace") as lines:
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
    # A question mark is punctuation here; in the Italian transcripts it stands for a lost accented letter.
    tokens = [SPOKEN.get(token, token) for token in spoken_tokens(text, PUNCTUATION + "?")]
    if not tokens or not all(re.fullmatch(r"[a-z]+(?:'[a-z]+)*", token) and dictionary(token) for token in tokens):
        return None
    return " ".join(tokens)


def spoken_tokens(text: str, punctuation: str = PUNCTUATION) -> list[str]:
    """A transcript's words in lower case, without the punctuation around them (a hyphen parts two words)."""
    tokens = [token.strip(punctuation) for token in text.lower().replace("-", " ").replace("’", "'").split()]
    return [token for token in tokens if token]


def pronounced_words(text: str, voice: str) -> list[Pronounced] | None:
    """A transcript's words as eSpeak NG's `voice` says them (`pronunciations.pronounce`; numbers as
    the language reads them); None when a word is not letters and digits (a sign; the Italian
    transcripts' "?" where a letter with an accent was lost) or eSpeak says nothing for it."""
    tokens = spoken_tokens(text)
    if not tokens or not all(A_WORD.fullmatch(token) for token in tokens):
        return None
    pronounced = [pronounce(token, voice) for token in tokens]
    return pronounced if all(pronounced) else None


def aligned_prompt(language: PromptLanguage, name: str, folder: Path | None = None) -> AlignedClip:
    """One prompt of `language`, decoded and aligned; PromptLeftOut says why one cannot be."""
    text = transcripts(language).get(name)
    if text is None:
        raise PromptLeftOut(f"{name}: no transcript")
    samples = _decoded((folder or language.sounds) / f"{name}.g722")
    if language.voice is None:
        said = words(text, _dictionary())
        if said is None:
            raise PromptLeftOut(f"{name}: a word not in the aligner's dictionary")
        segments = _aligned(lambda: aligned_segments(samples, said))
    else:
        pronounced = pronounced_words(text, language.voice)
        if pronounced is None:
            raise PromptLeftOut(f"{name}: a word eSpeak NG cannot pronounce")
        said = text
        segments = _aligned(lambda: pronounced_segments(samples, pronounced))
    if not segments:
        raise PromptLeftOut(f"{name}: PocketSphinx could not align it")
    return AlignedClip(name, samples.astype(np.float32) / 32768.0, said, tuple(segments))


def pauses_are_quiet(clip: AlignedClip) -> bool:
    """Whether every pause the aligner put between a prompt's words is quieter (RMS) than LOUD_PAUSE of
    the median of its phones': where one is not, the aligner found no better place for some phones than
    a pause, so the labels around it are doubtful."""
    def loudness(segment: VisemeSegment) -> float:
        part = clip.samples[int(segment.start_s * SAMPLE_RATE):int(segment.end_s * SAMPLE_RATE)]
        return float(np.sqrt(np.mean(part.astype(np.float64) ** 2))) if len(part) else 0.0

    speech = np.median([loudness(segment) for segment in clip.segments if segment.viseme != "sil"])
    inner = clip.segments[1:-1]
    return all(loudness(segment) < LOUD_PAUSE * speech for segment in inner if segment.viseme == "sil")


def training_prompt(language: PromptLanguage, name: str) -> AlignedClip:
    """`aligned_prompt`, for training: a prompt with a pause aligned where the talker speaks
    (`pauses_are_quiet`) is left out too."""
    clip = aligned_prompt(language, name)
    if not pauses_are_quiet(clip):
        raise PromptLeftOut(f"{name}: a pause aligned where the talker is speaking")
    return clip


def prompt_names(language: PromptLanguage, folder: Path | None = None) -> list[str]:
    """The prompts of `language` that say words and are installed, in name order."""
    folder = folder or language.sounds
    if not folder.is_dir():
        raise RealSpeechMissing(f"no {folder}: {language.install}")
    return sorted(name for name in transcripts(language) if (folder / f"{name}.g722").is_file())


def prompt_set(language: PromptLanguage = ENGLISH, folder: Path | None = None, limit: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> PromptSet:
    """Every prompt of `language` with words (the first `limit`, in name order), decoded and aligned."""
    names = prompt_names(language, folder)[:limit]
    clips, skipped = [], []
    for done, name in enumerate(names, start=1):
        try:
            clips.append(aligned_prompt(language, name, folder))
        except PromptLeftOut as why:
            skipped.append((name, str(why).removeprefix(f"{name}: ")))
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


def _aligned(alignment: Callable[[], list[VisemeSegment]]) -> list[VisemeSegment]:
    """The alignment's segments, or [] where the aligner finds no path through the words (it raises)
    or aligns nothing but silence."""
    try:
        segments = alignment()
    except RuntimeError:  # PocketSphinx: "Failed to set up sub-word alignment"
        return []
    return segments if any(segment.viseme != "sil" for segment in segments) else []


def _decoded(path: Path) -> np.ndarray:
    """A raw G.722 file (16 kHz, 64 kbit/s) → int16 mono samples, through PyAV's FFmpeg."""
    import av

    with av.open(str(path), format="g722") as container:
        return np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)])


@cache
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
