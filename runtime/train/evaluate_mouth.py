"""Evaluate mouth models side by side: real speech clean, in noise, rooms and channels; held-out
synthetic voices per language; and non-speech, where the mouth must stay shut.

    python -m runtime.train.evaluate_mouth [--weights W.npz ...] [--mouth-model NAME ...] [--json F]
        [--card F | --no-card]

Each model streams each clip exactly as the Animator feeds it (log-mel, voice activity, push),
its rows are shifted back by its look-ahead, and the scores (`mouth_metrics`) are pooled over all
hops of a set. The sets are built by `evaluation_sets` from a seed, with noises no model trains on.
Tables go to stdout and into the model card's "Evaluation in a real room" section; every figure
with its support goes to JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from runtime.audio.constants import HOP_LENGTH, HOP_S, WINDOW_LENGTH
from runtime.audio.features import StreamingLogMel
from runtime.audio.voice_activity import StreamingVoiceActivity
from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS, LearnedMouth
from runtime.motion.mouth_baseline import BaselineMouth
from runtime.motion.mouth_models import MOUTH_MODELS, check_mouth_model
from runtime.offline import Progress
from runtime.train.evaluation_sets import (
    EvaluationSet,
    LabelledClip,
    held_out_clips,
    language_sets,
    non_speech_sets,
    prompt_sets,
    real_sets,
    speech_level_dbfs,
)
from runtime.train.mouth_metrics import MouthScores, Support, VoiceActivityScores, score, support, voice_activity_scores
from runtime.train.targets import mouth_curves, viseme_labels

__all__ = ["LabelledClip", "evaluate", "format_table", "held_out_clips", "main", "run", "stream"]

ModelFactory = Callable[[], object]
DEFAULT_CARD = DEFAULT_WEIGHTS.with_suffix(".md")
DEFAULT_JSON = DEFAULT_WEIGHTS.with_name("audio_to_mouth_evaluation.json")
CARD_BEGIN, CARD_END = "<!-- evaluate_mouth: begin -->", "<!-- evaluate_mouth: end -->"
DEFAULT_SPEECH_DBFS = -26.0  # non-speech levels when the real clips are skipped


@dataclass(frozen=True)
class EvaluationOptions:
    weights: tuple[Path, ...] = (DEFAULT_WEIGHTS,)
    held_out: int = 150  # held-out synthetic English utterances, clean and augmented
    per_language: int = 16  # utterances per language (and per Festival voice)
    seed: int = 1234
    real: bool = True
    languages: bool = True
    non_speech: bool = True
    mouth_models: tuple[str, ...] = ()  # shipped models by name (runtime.motion.mouth_models), after the weights
    prompts: bool = True  # Asterisk's English prompts (runtime.train.prompt_speech): 17 min of one real talker


@dataclass(frozen=True)
class SetResult:
    set: str
    group: str
    model: str
    scores: MouthScores
    voice: VoiceActivityScores
    support: Support
    clips: int
    seconds: float = field(default=0.0)


def stream(model, samples: np.ndarray, chunk_hops: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(visemes, blendshapes, voice-activity probability) for hops [0, len(samples) / hop) of a clip,
    pushed in chunks. The probability is the one the Animator's state machine runs on: the model's
    own (read late, like its rows) when it detects speech, else the energy detector's."""
    hops = len(samples) // HOP_LENGTH
    padded = np.concatenate([samples, np.zeros((model.lookahead_hops + 2) * HOP_LENGTH + WINDOW_LENGTH, np.float32)])
    features, voice = StreamingLogMel(), StreamingVoiceActivity()
    visemes, shapes, probabilities = [], [], []
    for start in range(0, len(padded), chunk_hops * HOP_LENGTH):
        block = features.push(padded[start:start + chunk_hops * HOP_LENGTH])
        probability = voice.push(block.energy_db).probability
        rows = model.push(block, probability)
        visemes.append(rows.visemes)
        shapes.append(rows.blendshapes)
        probabilities.append(rows.voice_activity if model.detects_speech else probability)
    delay = model.lookahead_hops
    voice_delay = delay if model.detects_speech else 0
    return (np.concatenate(visemes)[delay:delay + hops], np.concatenate(shapes)[delay:delay + hops],
            np.concatenate(probabilities)[voice_delay:voice_delay + hops])


def streamed_clip(factory: ModelFactory, clip: LabelledClip) -> tuple[np.ndarray, ...]:
    """(visemes, blendshapes, voice probability, reference labels, reference curves) of a clip's scored
    hops, streamed by a fresh model of `factory`."""
    v, s, p = stream(factory(), clip.samples)
    scored = slice(round(clip.scored_from_s / HOP_S), None)
    return (v[scored], s[scored], p[scored], viseme_labels(clip.segments, len(v))[scored],
            mouth_curves(clip.segments, len(v))[scored])


def _pooled(factory: ModelFactory, clips: Sequence[LabelledClip], progress: Callable[[], None] | None = None):
    parts = []
    for clip in clips:
        parts.append(streamed_clip(factory, clip))
        if progress:
            progress()
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def evaluate(factory: ModelFactory, clips: Sequence[LabelledClip]) -> MouthScores:
    visemes, shapes, _, labels, references = _pooled(factory, clips)
    return score(visemes, shapes, labels, references)


def evaluate_set(model: str, factory: ModelFactory, evaluation_set: EvaluationSet,
                 progress: Callable[[], None] | None = None) -> SetResult:
    visemes, shapes, voice, labels, references = _pooled(factory, evaluation_set.clips, progress)
    return SetResult(evaluation_set.name, evaluation_set.group, model, score(visemes, shapes, labels, references),
                     voice_activity_scores(voice, shapes, labels), support(labels, evaluation_set.repeats),
                     len(evaluation_set.clips), round(len(labels) * HOP_S, 2))


def models(weights: Sequence[Path], named: Sequence[str] = ()) -> dict[str, ModelFactory]:
    """The baseline, then each weights file (`learned` for the shipped one, else the file's stem), then
    each shipped model named (those that are more than one weights file: "learned-adaptive")."""
    factories: dict[str, ModelFactory] = {"baseline": BaselineMouth}
    for path in weights:
        name = "learned" if Path(path).resolve() == DEFAULT_WEIGHTS.resolve() else Path(path).stem
        factories[name] = lambda path=path: LearnedMouth(path)
    for name in named:
        check_mouth_model(name)
        factories[name] = MOUTH_MODELS[name]
    return factories


def build_sets(options: EvaluationOptions, progress: Progress | None = None,
               aligning: Progress | None = None) -> list[EvaluationSet]:
    """The sets `options` asks for; `progress` counts groups of sets, `aligning` the prompts aligned
    (minutes of the building)."""
    from runtime.train.prompt_speech import prompt_streams
    from runtime.train.real_speech import real_clips

    steps = [options.held_out > 0, options.real, options.prompts, options.languages, options.non_speech]
    done, total = 0, sum(steps)
    sets: list[EvaluationSet] = []
    speech_dbfs = DEFAULT_SPEECH_DBFS

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    if options.held_out > 0:
        sets += [EvaluationSet("synthetic held-out, clean", "synthetic",
                               tuple(held_out_clips(options.held_out, False, options.seed))),
                 EvaluationSet("synthetic held-out, augmented", "synthetic",
                               tuple(held_out_clips(options.held_out, True, options.seed)))]
        step()
    if options.real:
        real = [LabelledClip(clip.samples, clip.segments) for clip in real_clips()]
        speech_dbfs = speech_level_dbfs(real)
        sets += real_sets(real, options.seed)
        step()
    if options.prompts:
        sets += prompt_sets(prompt_streams(progress=aligning), options.seed)
        step()
    if options.languages:
        sets += language_sets(options.per_language, options.seed)
        step()
    if options.non_speech:
        sets += non_speech_sets(speech_dbfs, options.seed)
        step()
    return sets


def run(options: EvaluationOptions, sets: Sequence[EvaluationSet], progress: Progress | None = None
        ) -> list[SetResult]:
    factories = models(options.weights, options.mouth_models)
    total, done = len(factories) * sum(len(s.clips) for s in sets), 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return [evaluate_set(name, factory, evaluation_set, advance) for evaluation_set in sets
            for name, factory in factories.items()]


# --- tables ----------------------------------------------------------------------------------------


def _figure(value: float, digits: int = 3) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def format_table(rows: Sequence[tuple[str, str, MouthScores]]) -> str:
    names = MouthScores.names()
    lines = ["| set | model | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for dataset, model, scores in rows:
        values = [f"{getattr(scores, name):+d}" if name == "lag_hops" else _figure(getattr(scores, name))
                  for name in names]
        lines.append(f"| {dataset} | {model} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def speech_table(results: Sequence[SetResult]) -> str:
    lines = ["| set | model | viseme acc (15) | coarse acc (6) | p/b/m closure recall | vowels read closed | jawOpen r "
             "| closed in silence | lag (hops) | VAD: talking in speech | VAD: talking in silence "
             "| support: closures, silence s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        s, v, n = r.scores, r.voice, r.support
        lines.append(f"| {r.set} | {r.model} | {_figure(s.viseme_accuracy)} | {_figure(s.coarse_accuracy)} | "
                     f"{_figure(s.closure_recall)} ± {_figure(n.closure_margin, 2)} | {_figure(s.closed_on_vowels)} | "
                     f"{_figure(s.jaw_r)} | "
                     f"{_figure(s.closed_in_silence)} | {s.lag_hops:+d} | {_figure(v.talking_in_speech)} | "
                     f"{_figure(v.talking_in_silence)} | {n.closures // n.repeats}, "
                     f"{n.silence_hops * HOP_S / n.repeats:.1f} |")
    return "\n".join(lines)


def _by_set(results: Sequence[SetResult]) -> dict[str, dict[str, SetResult]]:
    grouped: dict[str, dict[str, SetResult]] = {}
    for r in results:
        grouped.setdefault(r.set, {})[r.model] = r
    return grouped


def language_table(results: Sequence[SetResult]) -> str:
    """One row per language, the models side by side in each cell (baseline / learned / ...)."""
    grouped = _by_set(results)
    names = " / ".join(next(iter(grouped.values()))) if grouped else ""
    lines = [f"| voices | utterances | closures | viseme acc ({names}) | closure recall ({names}) "
             f"| jawOpen r ({names}) | closed in silence ({names}) |", "|---|---|---|---|---|---|---|"]
    for name, by_model in grouped.items():
        first = next(iter(by_model.values()))
        cells = [" / ".join(_figure(getattr(r.scores, metric)) for r in by_model.values())
                 for metric in ("viseme_accuracy", "closure_recall", "jaw_r", "closed_in_silence")]
        lines.append(f"| {name} | {first.clips} | {first.support.closures} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def non_speech_table(results: Sequence[SetResult]) -> str:
    grouped = _by_set(results)
    models_named = [m for m in next(iter(grouped.values()))] if grouped else []
    header = " | ".join(f"mouth closed: {m}" for m in models_named)
    gated = " | ".join(f"{m} gated by its VAD" for m in models_named if m != "baseline")
    talking = " | ".join(f"VAD says talking: {m}" for m in models_named)
    lines = [f"| sound (no speech) | seconds | {header} | {gated} | {talking} |",
             "|---|---|" + "---|" * (len(models_named) * 3 - 1)]
    for name, by_model in grouped.items():
        first = next(iter(by_model.values()))
        closed = " | ".join(_figure(r.scores.closed_in_silence) for r in by_model.values())
        gated_cells = " | ".join(_figure(r.voice.closed_in_silence_if_gated) for m, r in by_model.items()
                                 if m != "baseline")
        talking_cells = " | ".join(_figure(r.voice.talking_in_silence) for r in by_model.values())
        lines.append(f"| {name} | {first.seconds:.0f} | {closed} | {gated_cells} | {talking_cells} |")
    return "\n".join(lines)


def report(results: Sequence[SetResult]) -> str:
    """The markdown tables, one per group of sets."""
    parts = []
    speech = [r for r in results if r.group in ("synthetic", "real", "prompts")]
    if speech:
        parts.append(speech_table(speech))
    languages = [r for r in results if r.group == "language"]
    if languages:
        parts.append("Per language, held-out synthetic voices, clean:\n\n" + language_table(languages))
    quiet = [r for r in results if r.group == "non-speech"]
    if quiet:
        parts.append("Non-speech, nobody talking (every hop should have the lips closed):\n\n"
                     + non_speech_table(quiet))
    return "\n\n".join(parts)


def _jsonable(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def write_json(results: Sequence[SetResult], options: EvaluationOptions, path: Path) -> None:
    weights = [{"model": name, "file": Path(w).name, "sha256": hashlib.sha256(Path(w).read_bytes()).hexdigest()}
               for name, w in zip(list(models(options.weights))[1:], options.weights, strict=True)]
    weights += [{"model": name, "file": None, "sha256": None} for name in options.mouth_models]
    document = {"command": "python -m runtime.train.evaluate_mouth",
                "options": {**asdict(options), "weights": weights},
                "results": [{**asdict(r), "support": {**asdict(r.support), "closure_margin": r.support.closure_margin}}
                            for r in results]}
    path.write_text(json.dumps(_jsonable(document), indent=1) + "\n")


def write_card_section(card: Path, tables: str) -> None:
    """Replace what lies between the card's markers with `tables` (the markers must be there)."""
    text = card.read_text()
    pattern = re.compile(re.escape(CARD_BEGIN) + ".*?" + re.escape(CARD_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{card} has no {CARD_BEGIN} … {CARD_END} section to fill")
    card.write_text(pattern.sub(lambda _: f"{CARD_BEGIN}\n{tables}\n{CARD_END}", text))


def main(argv: Sequence[str] | None = None) -> None:
    from runtime.progress_bar import progress_bar  # lazily: tqdm only for the command line

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, action="append", help="learned weights (repeat to compare; "
                        "default: the shipped runtime/weights/audio_to_mouth.npz)")
    parser.add_argument("--mouth-model", action="append", default=[], choices=list(MOUTH_MODELS),
                        help="a shipped mouth model by name as well (repeat), e.g. learned-adaptive")
    parser.add_argument("--held-out", type=int, default=150, help="held-out synthetic English utterances")
    parser.add_argument("--per-language", type=int, default=16, help="utterances per language and Festival voice")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--no-real", action="store_true", help="skip the real recordings")
    parser.add_argument("--no-prompts", action="store_true",
                        help="skip the Asterisk prompts (17 min of one talker, 4 min to align)")
    parser.add_argument("--no-languages", action="store_true")
    parser.add_argument("--no-non-speech", action="store_true")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the figures go ('-': nowhere)")
    parser.add_argument("--card", type=Path, default=DEFAULT_CARD, help="model card whose section to fill")
    parser.add_argument("--no-card", action="store_true", help="print only")
    args = parser.parse_args(argv)
    options = EvaluationOptions(tuple(args.weights or (DEFAULT_WEIGHTS,)), args.held_out, args.per_language,
                                args.seed, not args.no_real, not args.no_languages, not args.no_non_speech,
                                tuple(args.mouth_model), not args.no_prompts)
    with progress_bar("building sets", unit="group") as progress, \
            progress_bar("aligning the prompts", unit="prompt") as aligning:
        sets = build_sets(options, progress, aligning)
    with progress_bar("streaming", unit="clip") as progress:
        results = run(options, sets, progress)
    tables = report(results)
    print(tables)
    if str(args.json) != "-":
        write_json(results, options, args.json)
    if not args.no_card:
        write_card_section(args.card, tables)


if __name__ == "__main__":
    main()
