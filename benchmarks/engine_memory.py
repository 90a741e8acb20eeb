"""Memory of many sessions over a long run: is the engine's resident memory flat?

    python -m benchmarks.engine_memory                          # 128 sessions, 10 minutes of audio each
    python -m benchmarks.engine_memory --sessions 16 --minutes 1  # a smoke run

N sessions of real speech with pauses (benchmarks.speech) go through one `MotionEngine` in 20 ms
chunks, as the server's scheduler drives it under load, as fast as the CPU allows: what a session
holds grows with the audio it has seen, not with wall time, so 10 minutes of audio per session is
10 minutes of session life. Every session keeps its frames' consumer honest (`take_outputs` after
each pass). The process's resident memory (/proc/self/statm) is read after every minute of audio;
the figures are the memory per session once all sessions are open and the growth from the first
minute to the last, which for a flat engine is allocator noise (a few MB), not a slope.

Writes benchmarks/results/engine_memory.json and its table in benchmarks/README.md (`--no-readme`).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from pathlib import Path

import numpy as np

from benchmarks.engine_curve import resident_mb, session_options
from benchmarks.report import publish
from benchmarks.speech import speech_samples
from runtime.engine import MotionEngine
from runtime.progress_bar import progress_bar
from runtime.version import package_version

RESULTS = Path(__file__).resolve().parent / "results" / "engine_memory.json"
BEGIN, END = "<!-- memory:begin -->", "<!-- memory:end -->"
RATE = 16_000
CHUNK = RATE // 50  # 20 ms
SPEECH_S = 120.0  # each session loops over its own rotation of two minutes of speech


def measure(sessions: int, minutes: float) -> dict:
    speech = speech_samples(SPEECH_S, RATE)
    gc.collect()
    before = resident_mb()
    engine = MotionEngine()
    animators = [engine.open(session_options(index)) for index in range(sessions)]
    offsets = [(index * round(0.37 * RATE)) % len(speech) for index in range(sessions)]
    chunks_per_minute = 60 * RATE // CHUNK
    total_chunks = round(minutes * chunks_per_minute)
    readings, outputs = [], 0
    started = time.process_time()
    with progress_bar(f"{sessions} sessions", unit="chunk") as advance:
        for chunk in range(total_chunks):
            outputs += _pass(engine, animators, offsets, speech, chunk)
            if (chunk + 1) % chunks_per_minute == 0:
                readings.append({"audio_min": (chunk + 1) // chunks_per_minute, "rss_mb": round(resident_mb(), 1)})
            advance(chunk + 1, total_chunks)
    cpu_s = time.process_time() - started
    first, last = readings[0]["rss_mb"], readings[-1]["rss_mb"]
    return {"sessions": sessions, "audio_min_per_session": minutes, "outputs": outputs,
            "rss_before_mb": round(before, 1), "readings": readings,
            "rss_per_session_mb": round((first - before) / sessions, 3),
            "growth_first_to_last_minute_mb": round(last - first, 1),
            "realtime_per_core": round(sessions * minutes * 60 / cpu_s, 1)}


def _pass(engine: MotionEngine, animators: list, offsets: list[int], speech: np.ndarray, chunk: int) -> int:
    """One chunk time: every session's next 20 ms queued, one engine pass, every output (frames and
    events) taken: the count of outputs."""
    for animator, offset in zip(animators, offsets, strict=True):
        start = (offset + chunk * CHUNK) % (len(speech) - CHUNK)
        animator.queue_samples(speech[start:start + CHUNK])
    engine.advance(animators)
    return sum(len(animator.take_outputs()) for animator in animators)


def render_table(report: dict) -> str:
    run = report["run"]
    lines = [f"Measured {report['date']} on {report['machine']}, facecast {report['facecast']}: "
             f"{run['sessions']} sessions, {run['audio_min_per_session']:g} min of audio each, one engine.", "",
             "| audio minute | resident memory |", "|---|---|"]
    lines += [f"| {reading['audio_min']} | {reading['rss_mb']} MB |" for reading in run["readings"]]
    lines += ["", f"Before the sessions opened: {run['rss_before_mb']} MB; per session after the first minute: "
              f"{run['rss_per_session_mb']} MB; growth from the first minute to the last: "
              f"{run['growth_first_to_last_minute_mb']} MB ({run['outputs']} frames and events taken)."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=128)
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of audio per session")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in benchmarks/README.md")
    args = parser.parse_args()
    if args.sessions < 1 or args.minutes < 1:
        parser.error("need at least 1 session and 1 minute")
    report = {"facecast": package_version(), "machine": f"{platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "run": measure(args.sessions, args.minutes)}
    publish(report, render_table(report), RESULTS, None if args.no_readme else (BEGIN, END))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
