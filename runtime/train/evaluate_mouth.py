"""Evaluate mouth models side by side: held-out synthetic voices and real recorded speech.

    python -m runtime.train.evaluate_mouth [--weights runtime/weights/audio_to_mouth.npz]

Each model streams each clip exactly as the Animator feeds it (log-mel, voice activity, push),
its rows are shifted back by its look-ahead, and the scores (`mouth_metrics`) are pooled over all
hops of a set. One table, one row per set and model.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.audio.constants import HOP_LENGTH, WINDOW_LENGTH
from runtime.audio.features import StreamingLogMel
from runtime.audio.voice_activity import StreamingVoiceActivity
from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS, LearnedMouth
from runtime.motion.mouth_baseline import BaselineMouth
from runtime.train.mouth_metrics import MouthScores, score
from runtime.train.targets import VisemeSegment, mouth_curves, viseme_labels

ModelFactory = Callable[[], object]


@dataclass(frozen=True)
class LabelledClip:
    samples: np.ndarray  # float32 mono, 16 kHz
    segments: Sequence[VisemeSegment]


def stream(model, samples: np.ndarray, chunk_hops: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(visemes, blendshapes) for hops [0, len(samples) / hop) of a clip, pushed in chunks."""
    hops = len(samples) // HOP_LENGTH
    padded = np.concatenate([samples, np.zeros((model.lookahead_hops + 2) * HOP_LENGTH + WINDOW_LENGTH, np.float32)])
    features, voice = StreamingLogMel(), StreamingVoiceActivity()
    visemes, shapes = [], []
    for start in range(0, len(padded), chunk_hops * HOP_LENGTH):
        block = features.push(padded[start:start + chunk_hops * HOP_LENGTH])
        rows = model.push(block, voice.push(block.energy_db).probability)
        visemes.append(rows.visemes)
        shapes.append(rows.blendshapes)
    delay = model.lookahead_hops
    return np.concatenate(visemes)[delay:delay + hops], np.concatenate(shapes)[delay:delay + hops]


def evaluate(factory: ModelFactory, clips: Sequence[LabelledClip]) -> MouthScores:
    outputs, labels, references = [], [], []
    for clip in clips:
        visemes, shapes = stream(factory(), clip.samples)
        outputs.append((visemes, shapes))
        labels.append(viseme_labels(clip.segments, len(visemes)))
        references.append(mouth_curves(clip.segments, len(visemes)))
    return score(np.concatenate([o[0] for o in outputs]), np.concatenate([o[1] for o in outputs]),
                 np.concatenate(labels), np.concatenate(references))


def held_out_clips(count: int, augmented: bool, seed: int = 1234) -> list[LabelledClip]:
    """Utterances of the held-out eSpeak accents and variants (never in training), clean or augmented."""
    from runtime.train.augment import augment
    from runtime.train.corpus import CorpusOptions, plan_held_out, scaled, synthesise

    clips = []
    for plan in plan_held_out(CorpusOptions(seed=seed, held_out_utterances=count)):
        audio, segments = synthesise(plan)
        if augmented:
            audio, factor = augment(audio, np.random.default_rng(plan.seed + 7))
            segments = scaled(segments, factor)
        clips.append(LabelledClip(audio, segments))
    return clips


def real_labelled_clips() -> list[LabelledClip]:
    from runtime.train.real_speech import real_clips

    return [LabelledClip(clip.samples, clip.segments) for clip in real_clips()]


def format_table(rows: Sequence[tuple[str, str, MouthScores]]) -> str:
    names = MouthScores.names()
    lines = ["| set | model | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for dataset, model, scores in rows:
        values = [f"{getattr(scores, name):+d}" if name == "lag_hops" else f"{getattr(scores, name):.3f}"
                  for name in names]
        lines.append(f"| {dataset} | {model} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def run(weights: Path, held_out: int, real: bool = True) -> list[tuple[str, str, MouthScores]]:
    models: dict[str, ModelFactory] = {"baseline": BaselineMouth, "learned": lambda: LearnedMouth(weights)}
    sets = {"synthetic held-out, clean": held_out_clips(held_out, False),
            "synthetic held-out, augmented": held_out_clips(held_out, True)}
    if real:
        sets["real (LibriVox + goforward)"] = real_labelled_clips()
    return [(name, model, evaluate(factory, clips)) for name, clips in sets.items()
            for model, factory in models.items()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--held-out", type=int, default=150, help="held-out synthetic utterances")
    parser.add_argument("--no-real", action="store_true", help="skip the real recordings")
    args = parser.parse_args(argv)
    print(format_table(run(args.weights, args.held_out, not args.no_real)))


if __name__ == "__main__":
    main()
