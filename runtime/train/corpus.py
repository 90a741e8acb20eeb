"""The mouth model's training and held-out data: synthetic speech with exact phoneme times, turned
into log-mel features and per-hop targets, cached on disk under a key of the options.

    plan (seeded) ─▶ eSpeak NG / Festival ─▶ 16 kHz + silence around ─▶ augment ─▶ log-mel
                                           └▶ phonemes → visemes → labels and mouth curves

Every utterance is planned from the seed alone, so the same options give the same corpus. Besides
speech, a corpus may hold non-speech "utterances": training-family noise, music or breaths with
nobody talking (`noises.TRAIN_FAMILIES`), labelled silence throughout, so the mouth learns to stay
shut in them; and its augmented copies may be made for use (`augment.augment_for_use`: rooms,
channels, real-use noises) instead of version 1's `augment.augment`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soxr

from runtime.audio.constants import HOP_S, SAMPLE_RATE
from runtime.audio.features import StreamingLogMel
from runtime.train import festival, flite
from runtime.train.augment import augment, augment_for_use
from runtime.train.english_text import frequent_english_sentence
from runtime.train.noises import TRAIN_FAMILIES, noise
from runtime.train.sentences import english_sentence, pseudo_sentence
from runtime.train.targets import VisemeSegment, merge_segments, mouth_columns, mouth_curves, viseme_labels
from runtime.train.visemes import espeak_viseme, festival_viseme

LOG = logging.getLogger(__name__)
DEFAULT_CACHE = Path(".cache/mouth")
ENGLISH_ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us-nyc", "en-gb-x-gbclan")
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "pl", "sv", "cs", "fi")
TRAIN_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f4", "klatt", "klatt2", "klatt3",
                  "Andy", "Annie", "Denis", "Gene", "Jacky", "Lee", "Mario", "Michael", "Tweaky", "anika",
                  "belinda", "edward", "grandma", "iven", "john", "linda", "max", "michel", "norbert", "robert",
                  "steph", "travis", "Alex", "Alicia", "Andrea", "ian", "david", "paul", "rob", "zac", "adam",
                  "benjamin", "caleb", "shelby", "aunty", "grandpa", "m8", "klatt5", "klatt6", "edward2", None)
# Never used in training: an accent and variants of their own, for the held-out score.
HELD_OUT_ACCENTS = ("en-029", "en-gb-x-gbcwmd")
HELD_OUT_VARIANTS = ("m7", "f5", "klatt4", "victor", "boris", "iven3", "quincy", "steph2")


class CorpusBuildError(RuntimeError):
    """A synthesis worker died while the corpus was being built."""


@dataclass(frozen=True)
class CorpusOptions:
    seed: int = 1234
    english_utterances: int = 1500  # eSpeak NG, English accents × voice variants
    other_language_utterances: int = 500  # eSpeak NG, OTHER_LANGUAGES
    festival_utterances: int = 1200  # split between Festival's voices
    held_out_utterances: int = 150  # eSpeak NG held-out accents and variants: the synthetic test set
    copies: int = 2  # versions of each utterance: the first clean if copies > 1, the rest augmented
    workers: int = 2
    # Added after version 1; they enter the cache key only when changed, so version 1's corpus keeps its key.
    augmentation: str = "recorded"  # "recorded": augment.augment (version 1); "in-use": augment.augment_for_use
    non_speech_utterances: int = 0  # training-family noise, music and breaths alone, labelled silence
    other_language_festival_utterances: int = 0  # pseudo-words by Festival's Czech, Italian and Finnish talkers
    flite_utterances: int = 0  # English by Flite's recorded talkers no other source has (flite.VOICES)
    # Pseudo-words in Russian, Catalan, Hindi, Marathi and Telugu by Festival's talkers of those languages
    # (festival.SCRIPT_LANGUAGE_VOICES), each in its own script.
    script_language_festival_utterances: int = 0
    # Real talkers: every prompt of Asterisk's recordings in these languages (prompt_speech.LANGUAGES, e.g.
    # "it", "ru"), aligned from their transcripts. Their own corpus ("recorded"), joined to "train" in training.
    recorded_prompt_languages: tuple[str, ...] = ()
    # The English sentences every English talker reads (ENGLISH_TEXTS): "dictionary" (version 1's: CMUdict's
    # words drawn alike and function words) or "frequent" (english_text.py: words at real English's rates).
    english_text: str = "dictionary"

    def __post_init__(self) -> None:
        if self.augmentation not in AUGMENTATIONS:
            raise ValueError(f"augmentation must be one of {sorted(AUGMENTATIONS)}, got {self.augmentation!r}")
        if self.english_text not in ENGLISH_TEXTS:
            raise ValueError(f"english_text must be one of {sorted(ENGLISH_TEXTS)}, got {self.english_text!r}")


AUGMENTATIONS = {"recorded": augment, "in-use": augment_for_use}
ENGLISH_TEXTS = {"dictionary": english_sentence, "frequent": frequent_english_sentence}
LATER_OPTIONS = {"augmentation": "recorded", "non_speech_utterances": 0,  # their version 1 values
                 "other_language_festival_utterances": 0, "flite_utterances": 0,
                 "script_language_festival_utterances": 0, "english_text": "dictionary"}
RECORDED_FIELDS = ("seed", "copies", "augmentation", "recorded_prompt_languages")  # what the recorded corpus is made of
NON_SPEECH_SECONDS = (2.0, 6.0)
NON_SPEECH_LEVEL_DBFS = (-50.0, -15.0)


@dataclass(frozen=True)
class Plan:
    """One utterance to synthesise."""

    engine: str  # "espeak", "festival", "flite" or "noise" (non-speech: `voice` is the noise family)
    voice: str
    text: str
    seed: int
    variant: str | None = None
    words_per_minute: int = 160
    pitch: int = 50
    pitch_range: int = 50
    duration_stretch: float = 1.0


@dataclass
class Corpus:
    """Utterances laid end to end: row ranges [offsets[i], offsets[i + 1])."""

    log_mel: np.ndarray  # (N, 80) float16
    labels: np.ndarray  # (N,) int8 viseme indices
    curves: np.ndarray  # (N, len(mouth_columns())) float16 target mouth curves
    offsets: np.ndarray  # (utterances + 1,) int64
    sources: list[str] = field(default_factory=list)  # "espeak:en-us+m3" per utterance

    def utterance(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(log-mel, labels, curves) of one utterance, as float32, int64, float32."""
        rows = slice(self.offsets[index], self.offsets[index + 1])
        return (self.log_mel[rows].astype(np.float32), self.labels[rows].astype(np.int64),
                self.curves[rows].astype(np.float32))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def hours(self) -> float:
        return len(self.labels) * HOP_S / 3600


def espeak_plan(rng: np.random.Generator, voice: str, variants: Sequence[str | None],
                sentence: Callable[..., str]) -> Plan:
    """A sentence of 4-13 words (`sentence(rng, words)`: English, or pseudo-words) for one of eSpeak NG's
    voices with a variant, rate and pitch drawn."""
    text = sentence(rng, int(rng.integers(4, 14)))
    return Plan("espeak", voice, text, int(rng.integers(2**31)), variants[rng.integers(len(variants))],
                int(rng.integers(120, 240)), int(rng.integers(20, 80)), int(rng.integers(20, 90)))


def plan_training(options: CorpusOptions) -> list[Plan]:
    rng = np.random.default_rng(options.seed)
    english = ENGLISH_TEXTS[options.english_text]
    plans = [espeak_plan(rng, ENGLISH_ACCENTS[i % len(ENGLISH_ACCENTS)], TRAIN_VARIANTS, english)
             for i in range(options.english_utterances)]
    plans += [espeak_plan(rng, OTHER_LANGUAGES[i % len(OTHER_LANGUAGES)], TRAIN_VARIANTS, pseudo_sentence)
              for i in range(options.other_language_utterances)]
    voices = sorted(festival.VOICES)
    plans += [talker_plan(rng, "festival", voices[i % len(voices)], english)
              for i in range(options.festival_utterances)]
    plans += [Plan("noise", TRAIN_FAMILIES[i % len(TRAIN_FAMILIES)], "", int(rng.integers(2**31)))
              for i in range(options.non_speech_utterances)]
    talkers = sorted(festival.OTHER_LANGUAGE_VOICES)
    plans += [talker_plan(rng, "festival", talkers[i % len(talkers)], pseudo_sentence)
              for i in range(options.other_language_festival_utterances)]
    flite_talkers = sorted(flite.VOICES)
    plans += [talker_plan(rng, "flite", flite_talkers[i % len(flite_talkers)], english)
              for i in range(options.flite_utterances)]
    script_talkers = sorted(festival.SCRIPT_LANGUAGE_VOICES)
    plans += [script_language_plan(rng, script_talkers[i % len(script_talkers)])
              for i in range(options.script_language_festival_utterances)]
    return plans


def talker_plan(rng: np.random.Generator, engine: str, voice: str, sentence: Callable[..., str]) -> Plan:
    """A sentence of 4-13 words (`sentence(rng, words)`) for a recorded talker of Festival or Flite, at a
    speaking rate 0.85-1.25 times its own."""
    text = sentence(rng, int(rng.integers(4, 14)))
    return Plan(engine, voice, text, int(rng.integers(2**31)), duration_stretch=float(rng.uniform(0.85, 1.25)))


def script_language_plan(rng: np.random.Generator, talker: str) -> Plan:
    """Pseudo-words in a Festival talker's own language and script (festival.SCRIPT_LANGUAGE_VOICES)."""
    script = festival.SCRIPT_LANGUAGE_VOICES[talker].script
    return talker_plan(rng, "festival", talker, lambda rng, words: pseudo_sentence(rng, words, script))


def plan_recorded(options: CorpusOptions) -> list[Plan]:
    """Every installed prompt with words of each recorded language: `text` is the prompt's name."""
    from runtime.train.prompt_speech import LANGUAGES, prompt_names

    rng = np.random.default_rng(options.seed + 2)
    return [Plan("prompts", code, name, int(rng.integers(2**31)))
            for code in options.recorded_prompt_languages for name in prompt_names(LANGUAGES[code])]


def plan_held_out(options: CorpusOptions) -> list[Plan]:
    rng = np.random.default_rng(options.seed + 1)
    return [espeak_plan(rng, HELD_OUT_ACCENTS[i % len(HELD_OUT_ACCENTS)], HELD_OUT_VARIANTS, english_sentence)
            for i in range(options.held_out_utterances)]


def _non_speech(plan: Plan) -> tuple[np.ndarray, list]:
    rng = np.random.default_rng(plan.seed)
    duration_s = float(rng.uniform(*NON_SPEECH_SECONDS))
    level = 10.0 ** (rng.uniform(*NON_SPEECH_LEVEL_DBFS) / 20.0)
    audio = noise(plan.voice, round(duration_s * SAMPLE_RATE), rng) * level
    return audio.astype(np.float32), merge_segments([("sil", 0.0)], duration_s)


def _recorded(plan: Plan) -> tuple[np.ndarray, list]:
    """A real talker's prompt as recorded (its own silences around it) and its aligned segments;
    prompt_speech.PromptLeftOut where it cannot be aligned, or not well enough to train on."""
    from runtime.train.prompt_speech import LANGUAGES, training_prompt

    clip = training_prompt(LANGUAGES[plan.voice], plan.text)
    return clip.samples, list(clip.segments)


def synthesise(plan: Plan) -> tuple[np.ndarray, list]:
    """16 kHz float32 audio with silence around it, and its viseme segments (a recorded prompt: as
    recorded, with its aligned segments)."""
    if plan.engine == "noise":
        return _non_speech(plan)
    if plan.engine == "prompts":
        return _recorded(plan)
    rng = np.random.default_rng(plan.seed)
    if plan.engine == "espeak":
        from runtime.train.espeak import SpeechOptions, synthesize

        speech = synthesize(plan.text, SpeechOptions(plan.voice, plan.words_per_minute, plan.pitch,
                                                     plan.pitch_range, plan.variant))
        audio, rate = speech.as_float32(), speech.sample_rate
        labelled = [(espeak_viseme(p.phoneme), p.start_sample / rate) for p in speech.phonemes]
    elif plan.engine == "flite":  # Festival's radio phone set
        spoken = flite.synthesize(plan.text, plan.voice, plan.duration_stretch)
        audio, rate = spoken.samples, spoken.sample_rate
        labelled = [(festival_viseme(phone, "radio"), start) for phone, start in spoken.phones]
    else:
        spoken = festival.synthesize_batch([plan.text], plan.voice, plan.duration_stretch)[0]
        audio, rate = spoken.samples, spoken.sample_rate
        phone_set = festival.voice(plan.voice).phone_set
        labelled = [(festival_viseme(phone, phone_set), start) for phone, start in spoken.phones]
    lead_s, tail_s = rng.uniform(0.1, 0.8), rng.uniform(0.2, 1.0)
    lead, tail = np.zeros(round(lead_s * rate), np.float32), np.zeros(round(tail_s * rate), np.float32)
    audio = np.concatenate([lead, audio, tail])
    labelled = [(viseme, start + lead_s) for viseme, start in labelled]
    duration_s = len(audio) / rate
    labelled.append(("sil", duration_s - tail_s))
    return soxr.resample(audio, rate, SAMPLE_RATE).astype(np.float32), merge_segments(labelled, duration_s)


def features_and_targets(audio: np.ndarray, segments: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    log_mel = StreamingLogMel().push(audio).log_mel
    n = len(log_mel)
    curves = mouth_curves(segments, n)[:, list(mouth_columns())]
    return log_mel, viseme_labels(segments, n), curves


def scaled(segments: list, factor: float) -> list:
    """Segments of audio played `factor` times faster."""
    return [VisemeSegment(s.viseme, s.start_s / factor, s.end_s / factor) for s in segments]


def _examples(job: tuple[Plan, int, str | None]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, str]]:
    """A plan's copies; with augmentation None, its clean copy alone (see _alone)."""
    from runtime.train.prompt_speech import PromptLeftOut

    plan, copies, augmentation = job
    try:
        audio, segments = synthesise(plan)
    except PromptLeftOut as left_out:  # a recorded prompt with no word or path to align it by; others raise
        LOG.info("left out: %s", left_out)
        return []
    rng = np.random.default_rng(plan.seed + 1)
    source = f"{plan.engine}:{plan.voice}" + (f"+{plan.variant}" if plan.variant else "")
    examples = []
    if copies > 1 or augmentation is None:  # the first copy clean
        examples.append((*features_and_targets(audio, segments), source))
    if augmentation is None:
        return examples
    for _ in range(copies - len(examples)):
        noisy, factor = AUGMENTATIONS[augmentation](audio, rng)
        examples.append((*features_and_targets(noisy, scaled(segments, factor)), source + ":augmented"))
    return examples


def _in_workers(jobs: Sequence[tuple[Plan, int, str]], workers: int) -> list:
    """Each job's examples, in order, from `workers` forked processes. Not multiprocessing.Pool: when a
    worker dies (eSpeak NG's library segfaults on a few inputs: German, variant `rob`, a low and wide
    pitch), Pool.map waits for its lost batch for ever. Jobs go out a few at a time, so when a worker
    dies the jobs it may have been making are known: each is made again in a process of its own
    (`_alone`), and the rest of the build goes on in a fresh pool."""
    results: list = [None] * len(jobs)
    while suspects := _until_a_worker_dies(jobs, workers, results):
        for index in suspects:
            results[index] = _alone(jobs[index])
    return results


def _until_a_worker_dies(jobs: Sequence[tuple[Plan, int, str]], workers: int, results: list) -> list[int]:
    """Fills `results` for the jobs without one; [] when all are made, else the jobs that were being
    made when a worker died."""
    upcoming = iter([(index, job) for index, job in enumerate(jobs) if results[index] is None])
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        pending: dict = {}
        while True:
            for index, job in itertools.islice(upcoming, 2 * workers - len(pending)):
                pending[pool.submit(_examples, job)] = index
            if not pending:
                return []
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    return sorted([index, *pending.values()])


def _alone(job: tuple[Plan, int, str]) -> list:
    """One job's examples from a process of its own. A plan whose augmented copies kill the process
    keeps its clean copy alone (logged), so one input that crashes eSpeak NG costs one augmented copy,
    not the build; a build that never crashed is unchanged."""
    plan, copies, _ = job
    examples = _in_a_process_of_its_own(job)
    if examples is None and copies > 1:
        LOG.warning("%s kills a synthesis worker; keeping its clean copy alone", _described(plan))
        examples = _in_a_process_of_its_own((plan, copies, None))
    if examples is None:
        raise CorpusBuildError(f"a synthesis worker dies making {_described(plan)}, even its clean copy")
    return examples


def _in_a_process_of_its_own(job: tuple[Plan, int, str | None]) -> list | None:
    """The job's examples, or None when the process dies making them."""
    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        try:
            return pool.submit(_examples, job).result()
        except BrokenProcessPool:
            return None


def _described(plan: Plan) -> str:
    return f"{plan.engine}:{plan.voice} {plan.text!r} (seed {plan.seed})"


def build(plans: Sequence[Plan], copies: int, workers: int = 1, augmentation: str = "recorded") -> Corpus:
    jobs = [(plan, copies, augmentation) for plan in plans]
    results = _in_workers(jobs, workers) if workers > 1 else [_examples(job) for job in jobs]
    flat = [example for examples in results for example in examples]
    offsets = np.cumsum([0] + [len(example[1]) for example in flat])
    return Corpus(np.concatenate([e[0] for e in flat]).astype(np.float16),
                  np.concatenate([e[1] for e in flat]).astype(np.int8),
                  np.concatenate([e[2] for e in flat]).astype(np.float16), offsets, [e[3] for e in flat])


def joined(corpora: Sequence[Corpus]) -> Corpus:
    """Corpora laid end to end, as one."""
    starts = np.cumsum([0] + [len(corpus.labels) for corpus in corpora[:-1]])
    offsets = np.concatenate([corpora[0].offsets[:1]] + [corpus.offsets[1:] + start
                                                         for corpus, start in zip(corpora, starts, strict=True)])
    return Corpus(np.concatenate([c.log_mel for c in corpora]), np.concatenate([c.labels for c in corpora]),
                  np.concatenate([c.curves for c in corpora]), offsets,
                  [source for corpus in corpora for source in corpus.sources])


def _key(kind: str, options: CorpusOptions) -> str:
    fields = asdict(options)
    if kind == "recorded":  # the synthetic sources' counts do not change it
        fields = {name: fields[name] for name in RECORDED_FIELDS}
    else:  # the recorded prompts are a corpus of their own
        del fields["recorded_prompt_languages"]
        for name, first_value in LATER_OPTIONS.items():
            if fields[name] == first_value:
                del fields[name]
    described = json.dumps({"kind": kind, **fields, "workers": None, "version": 2}, sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def load_or_build(kind: str, options: CorpusOptions, cache: Path = DEFAULT_CACHE) -> Corpus:
    """The "train", "held_out" or "recorded" corpus, from the cache when these options built it before."""
    path = cache / f"{kind}-{_key(kind, options)}.npz"
    if path.is_file():
        with np.load(path) as saved:
            return Corpus(saved["log_mel"], saved["labels"], saved["curves"], saved["offsets"],
                          saved["sources"].tolist())
    plans = {"train": plan_training, "held_out": plan_held_out, "recorded": plan_recorded}[kind](options)
    copies = 1 if kind == "held_out" else options.copies
    LOG.info("synthesising %d %s utterances × %d copies", len(plans), kind, copies)
    corpus = build(plans, copies, options.workers, options.augmentation)
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".partial.npz")
    np.savez(temporary, log_mel=corpus.log_mel, labels=corpus.labels, curves=corpus.curves,
             offsets=corpus.offsets, sources=np.array(corpus.sources))
    temporary.replace(path)
    return corpus
