"""How far a real set's figures can be trusted: 95 % intervals of a model's pooled clean figures,
resampling whole streams (a clip, a prompt stream) with replacement, so a set of few long streams
shows as the wide interval it is.

    python -m runtime.train.set_intervals [--mouth-model NAME ...] [--draws 500]

The LibriVox clips (`real_speech`) and the Asterisk prompt streams (`prompt_speech`), clean, each model
streamed as `evaluate_mouth` streams it; a markdown table on stdout (the model card's "A second real set").
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from runtime.train.evaluate_mouth import streamed_clip
from runtime.train.evaluation_sets import LabelledClip
from runtime.train.mouth_metrics import MouthScores, score

METRICS = ("viseme_accuracy", "closure_recall", "jaw_r", "closed_in_silence")
DEFAULT_MODELS = ("learned", "learned-adaptive")


@dataclass(frozen=True)
class Interval:
    value: float  # the figure over the whole set
    low: float
    high: float


def intervals(factory, clips: Sequence[LabelledClip], draws: int = 500, seed: int = 0) -> dict[str, Interval]:
    """Each of METRICS over `clips` streamed by `factory`'s model, with its 2.5–97.5 percentile over
    `draws` resamplings of whole clips (draws where a figure is undefined — no closure drawn — left out)."""
    parts = [(visemes, shapes, labels, curves)
             for visemes, shapes, _, labels, curves in (streamed_clip(factory, clip) for clip in clips)]

    def pooled(chosen) -> MouthScores:
        return score(*(np.concatenate([parts[i][k] for i in chosen]) for k in range(4)))

    whole = pooled(range(len(parts)))
    rng = np.random.default_rng(seed)
    resampled = [pooled(rng.integers(0, len(parts), len(parts))) for _ in range(draws)]
    result = {}
    for metric in METRICS:
        values = np.array([getattr(scores, metric) for scores in resampled], np.float64)
        values = values[~np.isnan(values)]
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        result[metric] = Interval(float(getattr(whole, metric)), float(low), float(high))
    return result


def table(rows: Sequence[tuple[str, str, int, dict[str, Interval]]]) -> str:
    lines = ["| set | streams | model | " + " | ".join(METRICS) + " |", "|---|---|---|" + "---|" * len(METRICS)]
    for set_name, streams, model, figures in rows:
        cells = [f"{f.value:.3f} [{f.low:.3f}, {f.high:.3f}]" for f in (figures[m] for m in METRICS)]
        lines.append(f"| {set_name} | {streams} | {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    from runtime.motion.mouth_models import MOUTH_MODELS
    from runtime.progress_bar import progress_bar  # lazily: tqdm only for the command line
    from runtime.train.prompt_speech import prompt_streams
    from runtime.train.real_speech import real_clips

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mouth-model", action="append", choices=list(MOUTH_MODELS), help="repeat; default: "
                        + ", ".join(DEFAULT_MODELS))
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args(argv)
    with progress_bar("aligning the prompts", unit="prompt") as aligning:
        prompts = prompt_streams(progress=aligning)
    sets = {"LibriVox clips": [LabelledClip(clip.samples, clip.segments) for clip in real_clips()],
            "Asterisk prompts": prompts}
    rows = [(name, len(clips), model, intervals(MOUTH_MODELS[model], clips, args.draws))
            for model in args.mouth_model or DEFAULT_MODELS for name, clips in sets.items()]
    print(table(rows))


if __name__ == "__main__":
    main()
