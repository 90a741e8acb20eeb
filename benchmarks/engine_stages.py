"""Where an engine pass's CPU goes: the array stages against everything else, and the budget a
per-core real-time factor leaves a pass.

    python -m benchmarks.engine_stages [--sessions 64] [--seconds 10] [--target 500] [--mouth-model NAME ...]

N sessions of speech in 20 ms chunks, one `MotionEngine.advance` per chunk time (as
benchmarks.engine_curve runs them in process), with timers (`time.process_time`) around the stages
that are array work over every session's hops at once: YIN's pitch (runtime/audio/pitch.py, in
prosody), the log-mel features, and the mouth network. The rest is the per-session Python the engine
still pays (trackers, bookkeeping, frames). The budget: at a target of T× real time per core, a pass
that advances N sessions by its audio may cost N × (audio per pass) / T of CPU. Several
`--mouth-model`s are measured one after the other, interleaved over `--rounds`, in one process.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from contextlib import contextmanager

from benchmarks.engine_curve import CHUNK_S, RATE, session_audio, session_options
from benchmarks.report import show
from benchmarks.speech import speech_samples
from runtime.audio import features, prosody
from runtime.engine import MotionEngine
from runtime.motion.audio_to_mouth import LearnedMouth
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, MOUTH_MODELS

# (module, attribute, label): the engine's array stages, timed where the engine calls them.
STAGES = ((prosody, "_pitch", "pitch (YIN)"), (features, "analyse_frames", "log-mel"),
          (LearnedMouth, "_outputs_many", "mouth network"))


@contextmanager
def _timed(spent: dict[str, float]):
    """The stages wrapped in CPU timers adding to `spent` by label, restored afterwards."""
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in STAGES]
    for (owner, name, original), (_, _, label) in zip(originals, STAGES, strict=True):
        setattr(owner, name, _timer(original, label, spent, static=isinstance(owner, type)))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, staticmethod(original) if isinstance(owner, type) else original)


def _timer(function, label: str, spent: dict[str, float], static: bool):
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started
    return staticmethod(timed) if static else timed


def measure(sessions: int, seconds: float, target: float, mouth_model: str = DEFAULT_MOUTH_MODEL) -> list[dict]:
    speech = speech_samples(max(60.0, seconds + 1.0), RATE)
    samples, step = round(seconds * RATE), round(CHUNK_S * RATE)
    audio = [session_audio(speech, index, samples) for index in range(sessions)]
    engine = MotionEngine()
    animators = [engine.open(dataclasses.replace(session_options(index), mouth_model=mouth_model))
                 for index in range(sessions)]
    spent: dict[str, float] = defaultdict(float)
    passes = 0
    with _timed(spent):
        started = time.process_time()
        for start in range(0, samples, step):
            for animator, clip in zip(animators, audio, strict=True):
                animator.queue_samples(clip[start:start + step])
            passes += any(animator.has_work for animator in animators)
            engine.advance(animators)
            for animator in animators:
                animator.take_outputs()
        total = time.process_time() - started
    audio_per_pass = sessions * seconds / max(passes, 1)
    rows = [{"stage": label, "ms_per_pass": round(spent[label] / passes * 1000, 2),
             "share": round(spent[label] / total, 3)} for _, _, label in STAGES]
    arrays = sum(spent.values())
    rest = total - arrays
    rows.append({"stage": "everything else (per-session Python)", "ms_per_pass": round(rest / passes * 1000, 2),
                 "share": round(rest / total, 3)})
    rows.append({"stage": "whole pass", "ms_per_pass": round(total / passes * 1000, 2), "share": 1.0})
    rows.append({"stage": f"budget at {target:.0f}× real time per core", "ms_per_pass":
                 round(audio_per_pass / target * 1000, 2), "share": None})
    for row in rows:
        row.update(sessions=sessions, passes=passes, realtime_per_core=round(sessions * seconds / total, 1),
                   mouth_model=mouth_model)
    return rows


def table(rows: list[dict]) -> str:
    first = rows[0]
    lines = [f"{first['mouth_model']}: {first['sessions']} sessions, {first['passes']} passes, "
             f"{first['realtime_per_core']}× real time per core", "", "| stage | CPU ms per pass | share |",
             "|---|---|---|"]
    for row in rows:
        share = "" if row["share"] is None else f"{row['share'] * 100:.0f} %"
        lines.append(f"| {row['stage']} | {row['ms_per_pass']} | {share} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0, help="audio per session")
    parser.add_argument("--target", type=float, default=500.0, help="real-time factor per core the budget is for")
    parser.add_argument("--mouth-model", action="append", choices=list(MOUTH_MODELS),
                        help=f"the sessions' mouth model (repeat to compare; default {DEFAULT_MOUTH_MODEL})")
    parser.add_argument("--rounds", type=int, default=1, help="times each model is measured, interleaved")
    parser.add_argument("--json", type=str, default="")
    args = parser.parse_args()
    runs = [measure(args.sessions, args.seconds, args.target, model)
            for _ in range(args.rounds) for model in args.mouth_model or [DEFAULT_MOUTH_MODEL]]
    show("\n\n".join(table(rows) for rows in runs), [row for rows in runs for row in rows], args.json)


if __name__ == "__main__":
    main()
