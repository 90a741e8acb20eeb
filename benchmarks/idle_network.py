"""What stopping the default mouth's idle network saves: sessions that talk a little and listen a lot.

    python -m benchmarks.idle_network [--sessions 64] [--seconds 12] [--talk-s 2] [--listen-s 8] [--rounds 5]

`learned-adaptive` runs two networks; where the quiet room's rows go unused (a noisy room, nobody
talking) that network stops and later restarts from the log-mel it kept, giving the same bits
(runtime/motion/adaptive_mouth.py). N sessions through one engine in 20 ms chunks, each alternating
`--talk-s` of speech and `--listen-s` of room tone (white noise at -60 dBFS), staggered; the same
sessions with the network stopping and with it running on every hop, interleaved over `--rounds` in one
process. Figure: session-seconds of audio per CPU-second (`time.process_time`) and the ratio per round.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from benchmarks.engine_curve import CHUNK_S, RATE, session_audio, session_options
from benchmarks.report import show
from benchmarks.speech import speech_samples
from runtime.engine import MotionEngine
from runtime.motion.adaptive_mouth import AdaptiveMouth

ROOM_TONE_RMS = 0.001  # -60 dBFS


def talk_and_listen(speech: np.ndarray, index: int, samples: int, talk_s: float, listen_s: float) -> np.ndarray:
    """A session's audio: its stretch of the speech, kept for talk_s of every talk_s + listen_s and room
    tone in between; each session starts its cycle half a second after the one before."""
    audio = session_audio(speech, index, samples).copy()
    period, talk = round((talk_s + listen_s) * RATE), round(talk_s * RATE)
    tone = np.random.default_rng(index).standard_normal(samples).astype(np.float32) * ROOM_TONE_RMS
    phase = (np.arange(samples) + index * RATE // 2) % period
    audio[phase >= talk] = tone[phase >= talk]
    return audio


def measure(audio: list[np.ndarray], stops: bool) -> float:
    """Real time per core of the sessions through one engine, the idle network stopping or not."""
    AdaptiveMouth.stops_idle_network = stops
    try:
        engine = MotionEngine()
        animators = [engine.open(dataclasses.replace(session_options(index), mouth_model="learned-adaptive"))
                     for index in range(len(audio))]
        step = round(CHUNK_S * RATE)
        started = time.process_time()
        for start in range(0, len(audio[0]), step):
            for animator, clip in zip(animators, audio, strict=True):
                animator.queue_samples(clip[start:start + step])
            engine.advance(animators)
            for animator in animators:
                animator.take_outputs()
        return len(audio) * len(audio[0]) / RATE / (time.process_time() - started)
    finally:
        AdaptiveMouth.stops_idle_network = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=12.0, help="audio per session")
    parser.add_argument("--talk-s", type=float, default=2.0)
    parser.add_argument("--listen-s", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=str, default="")
    args = parser.parse_args()
    speech = speech_samples(max(60.0, args.seconds + 1.0), RATE)
    samples = round(args.seconds * RATE)
    audio = [talk_and_listen(speech, index, samples, args.talk_s, args.listen_s) for index in range(args.sessions)]
    rows = []
    for round_index in range(args.rounds):
        always, stopping = measure(audio, stops=False), measure(audio, stops=True)
        rows.append({"round": round_index + 1, "always_runs": round(always, 1), "stops_when_idle": round(stopping, 1),
                     "ratio": round(stopping / always, 2)})
    lines = [f"{args.sessions} sessions talking {args.talk_s:g} s in every {args.talk_s + args.listen_s:g} s, "
             f"learned-adaptive, real time per core", "", "| round | network always runs | stops when idle | ratio |",
             "|---|---|---|---|"]
    lines += [f"| {r['round']} | {r['always_runs']}× | {r['stops_when_idle']}× | {r['ratio']} |" for r in rows]
    lines.append(f"| median | | | {statistics.median(r['ratio'] for r in rows)} |")
    show("\n".join(lines), rows, args.json)


if __name__ == "__main__":
    main()
