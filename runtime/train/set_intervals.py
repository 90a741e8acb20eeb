"""How far a real set's figures can be trusted: 95 % intervals of a model's pooled clean figures,
resampling whole streams (a clip, a prompt stream) with replacement, so a set of few long streams
shows as the wide interval it is; and, with --against, how far new weights move them, paired.

    python -m runtime.train.set_intervals [--mouth-model NAME ...] [--draws 500] [--unseen-sentences N]
    python -m runtime.train.set_intervals --against OLD.npz [--weights NEW.npz] [--mouth-model NAME ...]

The LibriVox clips (`real_speech`) and the Asterisk prompt streams (`prompt_speech`), clean, each model
streamed as `evaluate_mouth` streams it; a markdown table on stdout (the model card's "A second real set").
`--unseen-sentences N` adds N new sentences of a Festival voice no model trains on (kdl), drawn from
`--unseen-seed`. `--per-viseme` adds each viseme's share of the reference, its recall and how often the model
says it: where the accuracy is lost. `--curve-sizes` adds how large each mouth curve comes out against the
reference's (its spread and the gain that would fit it): what r, blind to size, does not say.

A paired comparison streams both weights over the same streams and resamples them with the same draws:
the interval is that of the difference, far narrower than two models' own intervals side by side, since
most of a set's spread is which streams it holds, and both models meet the same ones. With `learned-adaptive`
the new weights stand in for its quiet room's network ("learned"), as they would once shipped.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.arkit import VISEME_NAMES, blendshape_index
from runtime.train.evaluate_mouth import streamed_clip
from runtime.train.evaluation_sets import LabelledClip
from runtime.train.mouth_metrics import MouthScores, score

METRICS = ("viseme_accuracy", "closure_recall", "jaw_r", "closed_in_silence")
DEFAULT_MODELS = ("learned", "learned-adaptive")
PAIRED_MODELS = DEFAULT_MODELS  # the models that run the learned weights a paired comparison swaps
UNSEEN_VOICE = "kdl"  # Festival's US-English talker that no weights train on


@dataclass(frozen=True)
class Interval:
    value: float  # the figure over the whole set
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    before: float  # the figure over the whole set, old weights
    after: float  # ... new weights
    low: float  # 2.5–97.5 percentile of after − before over the same draws
    high: float
    share_better: float  # share of draws in which after > before


Streamed = list[tuple[np.ndarray, ...]]  # per stream: visemes, blendshapes, reference labels, reference curves


def streamed(factory, clips: Sequence[LabelledClip]) -> Streamed:
    return [(visemes, shapes, labels, curves)
            for visemes, shapes, _, labels, curves in (streamed_clip(factory, clip) for clip in clips)]


def _pooled(parts: Streamed, chosen) -> MouthScores:
    return score(*(np.concatenate([parts[i][k] for i in chosen]) for k in range(4)))


def _draws(streams: int, draws: int, seed: int) -> list[np.ndarray]:
    """`draws` resamplings of whole streams with replacement, the same for every model given `seed`."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, streams, streams) for _ in range(draws)]


def _percentiles(values: Sequence[float]) -> tuple[float, float]:
    """2.5 and 97.5 percentiles, draws where a figure is undefined (no closure drawn) left out."""
    defined = np.asarray(values, np.float64)
    defined = defined[~np.isnan(defined)]
    if not len(defined):
        return np.nan, np.nan
    low, high = np.percentile(defined, [2.5, 97.5])
    return float(low), float(high)


def intervals(factory, clips: Sequence[LabelledClip], draws: int = 500, seed: int = 0) -> dict[str, Interval]:
    """Each of METRICS over `clips` streamed by `factory`'s model, with its 2.5–97.5 percentile over
    `draws` resamplings of whole clips."""
    return intervals_of(streamed(factory, clips), draws, seed)


def intervals_of(parts: Streamed, draws: int = 500, seed: int = 0) -> dict[str, Interval]:
    """`intervals` of clips already streamed."""
    whole = _pooled(parts, range(len(parts)))
    resampled = [_pooled(parts, chosen) for chosen in _draws(len(parts), draws, seed)]
    return {metric: Interval(float(getattr(whole, metric)),
                             *_percentiles([getattr(scores, metric) for scores in resampled]))
            for metric in METRICS}


def paired(before, after, clips: Sequence[LabelledClip], draws: int = 1000, seed: int = 0) -> dict[str, Difference]:
    """Each of METRICS over `clips` for the models of factories `before` and `after`, and the interval of
    their difference, both pooled over the same `draws` resamplings of whole clips."""
    return paired_of(streamed(before, clips), streamed(after, clips), draws, seed)


def paired_of(old: Streamed, new: Streamed, draws: int = 1000, seed: int = 0) -> dict[str, Difference]:
    """`paired` of the same clips already streamed by both models."""
    everything = range(len(old))
    whole_old, whole_new = _pooled(old, everything), _pooled(new, everything)
    differences = {metric: [] for metric in METRICS}
    for chosen in _draws(len(old), draws, seed):
        scores_old, scores_new = _pooled(old, chosen), _pooled(new, chosen)
        for metric, values in differences.items():
            values.append(getattr(scores_new, metric) - getattr(scores_old, metric))
    result = {}
    for metric, values in differences.items():
        defined = np.asarray(values, np.float64)
        defined = defined[~np.isnan(defined)]  # draws without a closure in them, say, have no recall
        result[metric] = Difference(float(getattr(whole_old, metric)), float(getattr(whole_new, metric)),
                                    *_percentiles(defined), float(np.mean(defined > 0.0)) if len(defined) else np.nan)
    return result


def table(rows: Sequence[tuple[str, int, str, dict[str, Interval]]]) -> str:
    lines = ["| set | streams | model | " + " | ".join(METRICS) + " |", "|---|---|---|" + "---|" * len(METRICS)]
    for set_name, streams, model, figures in rows:
        cells = [f"{f.value:.3f} [{f.low:.3f}, {f.high:.3f}]" for f in (figures[m] for m in METRICS)]
        lines.append(f"| {set_name} | {streams} | {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def paired_table(rows: Sequence[tuple[str, int, str, dict[str, Difference]]], before: str, after: str) -> str:
    lines = [f"| set | streams | model | figure | {before} | {after} | difference [95 %] | draws better |",
             "|---|---|---|---|---|---|---|---|"]
    for set_name, streams, model, figures in rows:
        for metric, f in figures.items():
            lines.append(f"| {set_name} | {streams} | {model} | {metric} | {f.before:.3f} | {f.after:.3f} | "
                         f"{f.after - f.before:+.4f} [{f.low:+.4f}, {f.high:+.4f}] | {f.share_better:.3f} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class VisemeFigures:
    share: float  # of the reference's hops
    recall: float  # share of those hops the model reads as this viseme (its most probable one)
    said: float  # share of all the model's hops it reads as this viseme


def per_viseme(parts: Streamed) -> dict[str, VisemeFigures]:
    """Each viseme's figures over streamed clips: where a model's viseme accuracy is lost, and which it
    says too often or never."""
    said = np.concatenate([part[0] for part in parts]).argmax(axis=1)
    labels = np.concatenate([part[2] for part in parts])
    figures = {}
    for index, name in enumerate(VISEME_NAMES):
        truth = labels == index
        recall = float(np.mean(said[truth] == index)) if truth.any() else np.nan
        figures[name] = VisemeFigures(float(np.mean(truth)), recall, float(np.mean(said == index)))
    return figures


def viseme_table(rows: Sequence[tuple[str, str, dict[str, VisemeFigures]]]) -> str:
    """Per set and model: each viseme's share of the reference, then recall / share of the model's hops."""
    lines = ["| set | model | " + " | ".join(VISEME_NAMES) + " |", "|---|---|" + "---|" * len(VISEME_NAMES)]
    for set_name, model, figures in rows:
        shares = " | ".join(f"{f.share:.3f}" for f in figures.values())
        lines.append(f"| {set_name} | reference share | {shares} |")
        lines.append(f"| | {model}: recall / said | "
                     + " | ".join(f"{f.recall:.2f} / {f.said:.3f}" for f in figures.values()) + " |")
    return "\n".join(lines)


# The mouth curves a viewer sees move in speech (one side of each symmetric pair: the references are symmetric).
SIZED_CURVES = ("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthSmileLeft", "mouthStretchLeft",
                "mouthLowerDownLeft", "mouthUpperUpLeft", "mouthRollLower", "mouthPressLeft")


@dataclass(frozen=True)
class CurveSize:
    spread: float  # the model's standard deviation over the reference's: 1 moves as far, 0.5 half as far
    gain: float  # the least-squares gain (through 0) that best turns the model's curve into the reference's
    r: float  # Pearson correlation with the reference (blind to size)


def curve_sizes(parts: Streamed) -> dict[str, CurveSize]:
    """Each of SIZED_CURVES over streamed clips, every hop: how large the model's curve is against the
    reference's (a correlation loss, or an L1 that pulls an unsure curve to its median, can shrink it
    while r and the closures hold)."""
    shapes = np.concatenate([part[1] for part in parts]).astype(np.float64)
    reference = np.concatenate([part[3] for part in parts]).astype(np.float64)
    sizes = {}
    for name in SIZED_CURVES:
        model, truth = shapes[:, blendshape_index(name)], reference[:, blendshape_index(name)]
        model_spread, truth_spread = model.std(), truth.std()
        sizes[name] = CurveSize(float(model_spread / truth_spread) if truth_spread > 0.0 else np.nan,
                                float(model @ truth / (model @ model)) if model.any() else np.nan,
                                float(np.corrcoef(model, truth)[0, 1]) if model_spread > 0.0 and truth_spread > 0.0
                                else np.nan)
    return sizes


def curve_table(rows: Sequence[tuple[str, str, dict[str, CurveSize]]]) -> str:
    """Per set and model: each curve's spread / gain / r."""
    lines = ["| set | model: spread / gain / r | " + " | ".join(SIZED_CURVES) + " |",
             "|---|---|" + "---|" * len(SIZED_CURVES)]
    for set_name, model, sizes in rows:
        lines.append(f"| {set_name} | {model} | "
                     + " | ".join(f"{c.spread:.2f} / {c.gain:.2f} / {c.r:.2f}" for c in sizes.values()) + " |")
    return "\n".join(lines)


def with_weights(model: str, weights: Path):
    """A factory of mouth model `model` ("learned" or "learned-adaptive") on the learned weights `weights`."""
    from runtime.motion.adaptive_mouth import AdaptiveMouth
    from runtime.motion.audio_to_mouth import LearnedMouth

    if model == "learned":
        return lambda: LearnedMouth(weights)
    if model == "learned-adaptive":
        return lambda: AdaptiveMouth(LearnedMouth(weights))
    raise ValueError(f"{model!r} does not run the learned weights; choose one of {', '.join(PAIRED_MODELS)}")


def unseen_sentences(count: int, seed: int, progress=None) -> list[LabelledClip]:
    """`count` new sentences of UNSEEN_VOICE, a Festival talker no model trains on, drawn from `seed`."""
    from runtime.train.corpus import synthesise
    from runtime.train.evaluation_sets import festival_plans

    clips = []
    for done, plan in enumerate(festival_plans(UNSEEN_VOICE, count, seed), start=1):
        clips.append(LabelledClip(*synthesise(plan)))
        if progress:
            progress(done, count)
    return clips


def evaluation_streams(unseen: int, unseen_seed: int) -> dict[str, list[LabelledClip]]:
    from runtime.progress_bar import progress_bar  # lazily: tqdm only for the command line
    from runtime.train.prompt_speech import prompt_streams
    from runtime.train.real_speech import real_clips

    with progress_bar("aligning the prompts", unit="prompt") as aligning:
        sets = {"LibriVox clips": [LabelledClip(clip.samples, clip.segments) for clip in real_clips()],
                "Asterisk prompts": prompt_streams(progress=aligning)}
    if unseen:
        with progress_bar(f"synthesising {UNSEEN_VOICE}", unit="sentence") as synthesising:
            sets[f"Festival {UNSEEN_VOICE}, {unseen} new sentences (seed {unseen_seed})"] = unseen_sentences(
                unseen, unseen_seed, synthesising)
    return sets


def main(argv: Sequence[str] | None = None) -> None:
    from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS
    from runtime.motion.mouth_models import MOUTH_MODELS
    from runtime.progress_bar import progress_bar  # lazily: tqdm only for the command line

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mouth-model", action="append", choices=list(MOUTH_MODELS), help="repeat; default: "
                        + ", ".join(DEFAULT_MODELS) + " (with --against: learned or learned-adaptive)")
    parser.add_argument("--draws", type=int, help="resamplings (default 500; paired 1000)")
    parser.add_argument("--against", type=Path, metavar="OLD.npz",
                        help="compare, paired: learned weights to measure --weights against")
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS, metavar="NEW.npz",
                        help="with --against: the new weights (default: the shipped ones)")
    parser.add_argument("--unseen-sentences", type=int, default=0, metavar="N",
                        help=f"add N new sentences of Festival's {UNSEEN_VOICE}, a talker no model trains on "
                             "(weights version 5 was judged on 120, seed 20261206)")
    parser.add_argument("--unseen-seed", type=int, default=20261206)
    parser.add_argument("--per-viseme", action="store_true",
                        help="also each viseme's share of the reference, recall and share of the model's hops")
    parser.add_argument("--curve-sizes", action="store_true",
                        help="also each mouth curve's spread and least-squares gain against the reference's")
    args = parser.parse_args(argv)
    models = args.mouth_model or list(DEFAULT_MODELS)
    if args.against is not None:
        for path in (args.against, args.weights):
            if not path.is_file():
                parser.error(f"no weights at {path}")
        if unfit := [model for model in models if model not in PAIRED_MODELS]:
            parser.error(f"--against compares learned weights; {', '.join(unfit)} does not run them "
                         f"(choose {' or '.join(PAIRED_MODELS)})")
    sets = evaluation_streams(args.unseen_sentences, args.unseen_seed)
    # Each model (with --against: on the old weights, then the new) streams each set once; its rows serve
    # the intervals and the per-viseme figures alike.
    compared = {model: {model: MOUTH_MODELS[model]} if args.against is None else
                {f"{model} {path.name}": with_weights(model, path) for path in (args.against, args.weights)}
                for model in models}
    rows, viseme_rows, curve_rows = [], [], []
    with progress_bar("measuring", unit="set") as measuring:
        for model, factories in compared.items():
            for name, clips in sets.items():
                parts = {label: streamed(factory, clips) for label, factory in factories.items()}
                figures = intervals_of(*parts.values(), args.draws or 500) if args.against is None else \
                    paired_of(*parts.values(), args.draws or 1000)
                rows.append((name, len(clips), model, figures))
                if args.per_viseme:
                    viseme_rows += [(name, label, per_viseme(streams)) for label, streams in parts.items()]
                if args.curve_sizes:
                    curve_rows += [(name, label, curve_sizes(streams)) for label, streams in parts.items()]
                measuring(len(rows), len(compared) * len(sets))
    print(table(rows) if args.against is None else paired_table(rows, args.against.name, args.weights.name))
    if args.per_viseme:
        print()
        print(viseme_table(viseme_rows))
    if args.curve_sizes:
        print()
        print(curve_table(curve_rows))

if __name__ == "__main__":
    main()
