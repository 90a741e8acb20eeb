"""The engine's curve: how the cost and the lateness of sessions grow with their number.

    python -m benchmarks.engine_curve              # in-process 1..192 sessions, then over gRPC
    python -m benchmarks.engine_curve --quick      # fewer levels, shorter audio
    python -m benchmarks.engine_curve --rendered-only --processes 2 --no-readme  # rendered sessions alone
    python -m benchmarks.engine_curve --rendered-only --portrait closed-photo-gold --fps 60 \
        --rendered-levels 1 --no-readme                                      # one 60 fps stream of a user's portrait

In-process (the runtime alone): N sessions of real speech in 20 ms chunks, every session's chunk
queued and then one `MotionEngine.advance` per chunk time, as the server's scheduler does under
load; against the same N sessions each run alone (`Animator.push_samples`, the old way), side by
side in one run. Figure: session-seconds of audio per CPU-second (`time.process_time`), resident
memory per session.

Over gRPC (a `facecast serve` of its own on loopback): N real-time sessions (16 kHz PCM16, 20 ms
chunks, started over 1 s), latents only, and rendered 512² JPEG sessions. Figures: the server's CPU
use (its /proc CPU time over the run's wall time, in cores), frame lateness beyond the audio each
frame needs (p50 over sessions, p99 of the worst session), the share of sessions holding real time
(benchmarks.streaming's rule), and the load client's own CPU use (this process), which shares the
same cores: on a 2-core machine the client is a large part of the load, so the figures are floors.

Writes benchmarks/results/engine_curve.json and its table in benchmarks/README.md (`--no-readme`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

from benchmarks import host_speed, render_speed, streaming
from benchmarks.load import server_cpu_s
from benchmarks.report import conditions, publish
from benchmarks.speech import speech_samples
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.defaults import DEFAULT_FPS
from runtime.engine import MotionEngine
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL
from runtime.pipeline import Animator, AnimatorOptions
from runtime.version import package_version
from service.process import ServerProcess, free_port

RESULTS = Path(__file__).resolve().parent / "results" / "engine_curve.json"
BEGIN, END = "<!-- engine:begin -->", "<!-- engine:end -->"
LEVELS = (1, 8, 32, 64, 128, 192)
RENDERED_LEVELS = (1, 2, 4, 8)
CHUNK_S = 0.02
RATE = 16_000


def session_options(index: int) -> AnimatorOptions:
    return AnimatorOptions(seed=index, audio_format=AudioFormat(AudioEncoding.FLOAT32LE, RATE))


def session_audio(speech: np.ndarray, index: int, samples: int) -> np.ndarray:
    """Each session its own stretch of the speech (offset by 0.37 s per session, wrapping)."""
    start = (index * round(0.37 * RATE)) % (len(speech) - samples)
    return speech[start:start + samples]


def in_process(count: int, seconds: float, speech: np.ndarray) -> dict:
    """N sessions through one engine, and the same N one at a time, on this process's CPU."""
    samples = round(seconds * RATE)
    step = round(CHUNK_S * RATE)
    audio = [session_audio(speech, index, samples) for index in range(count)]
    gc.collect()
    rss_before = resident_mb()
    engine = MotionEngine()
    opening = time.process_time()
    animators = [engine.open(session_options(index)) for index in range(count)]
    open_cpu = time.process_time() - opening
    started = time.process_time()
    for start in range(0, samples, step):
        for animator, clip in zip(animators, audio, strict=True):
            animator.queue_samples(clip[start:start + step])
        engine.advance(animators)
        for animator in animators:
            animator.take_outputs()
    batched_cpu = time.process_time() - started
    rss_per_session = (resident_mb() - rss_before) / count
    alone_count = min(count, 8)  # the old way, on a sample of the sessions: its cost is per session
    started = time.process_time()
    for index in range(alone_count):
        animator = Animator(session_options(index), MotionEngine())
        for start in range(0, samples, step):
            animator.push_samples(audio[index][start:start + step])
    alone_cpu = (time.process_time() - started) / alone_count * count
    return {"sessions": count, "audio_s": seconds,
            "batched_realtime_per_core": round(count * seconds / batched_cpu, 1),
            "alone_realtime_per_core": round(count * seconds / alone_cpu, 1),
            "batched_cpu_s": round(batched_cpu, 3), "rss_mb_per_session": round(rss_per_session, 2),
            "open_ms_per_session": round(1e3 * open_cpu / count, 3)}


def resident_mb() -> float:
    """This process's resident memory, MB (/proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def over_grpc(server: ServerProcess, count: int, seconds: float, avatar_id: str = "", fps: int = DEFAULT_FPS) -> dict:
    samples = speech_samples(seconds, streaming.SAMPLE_RATE)
    server_cpu, client_cpu = server_cpu_s(server.process.pid), time.process_time()
    wall = time.monotonic()
    results = asyncio.run(streaming.run_sessions(server.address, samples, count, avatar_id=avatar_id, fps=fps))
    wall = time.monotonic() - wall
    figures = [streaming.session_figures(result) for result in results]
    return {"sessions": count, "audio_s": seconds, "fps": fps, "wall_s": round(wall, 1),
            "server_cores": round((server_cpu_s(server.process.pid) - server_cpu) / wall, 2),
            "client_cores": round((time.process_time() - client_cpu) / wall, 2),
            "held_share": round(sum(f["held"] for f in figures) / count, 3),
            "p50_ms": round(float(np.median([f["p50_ms"] for f in figures])), 1),
            "p99_ms": round(float(max(f["p99_ms"] for f in figures)), 1),
            "first_frame_beyond_need_ms_p50": round(float(np.median([f["first_frame_beyond_need_ms"]
                                                                     for f in figures])), 1),
            "rendered_fps": round(sum(r.rendered_frames for r in results) / wall, 1)}


def cold_bursts(servers: int, count: int = 128, seconds: float = 10.0) -> int:
    """What a fresh server's first burst of `count` sessions meets, against its second: the figures
    printed as JSON lines (over_grpc's), the README left alone."""
    for _ in range(servers):
        with ServerProcess("--max-sessions", str(2 * count)) as server:
            for burst in ("first", "second"):
                print(json.dumps({"burst": burst, **over_grpc(server, count, seconds)}), flush=True)
    return 0


def render_table(report: dict) -> str:
    lines = [f"Measured {report['date']} on {report['machine']}, facecast {report['facecast']}{conditions(report)}."]
    if report["in_process"]:
        lines += ["", "In-process (the runtime alone; 20 ms chunks of real speech, one engine pass per chunk time):",
                  "",
                  "| sessions | batched: audio s per CPU s | alone (old way): audio s per CPU s | ratio "
                  "| resident MB per session | opening a session (CPU ms) |", "|---|---|---|---|---|---|"]
    for row in report["in_process"]:
        ratio = row["batched_realtime_per_core"] / row["alone_realtime_per_core"]
        lines.append(f"| {row['sessions']} | {row['batched_realtime_per_core']}× | {row['alone_realtime_per_core']}× "
                     f"| {ratio:.1f} | {row['rss_mb_per_session']} | {row.get('open_ms_per_session', '–')} |")
    processes = report.get("server_processes", 1)
    rendered = f"latents + 512² JPEG frames of the {report.get('rendered_portrait', 'astronaut')}"
    if report.get("grpc_rendered"):
        rendered += f" at {report['grpc_rendered'][0]['fps']} fps"
    for name, title in (("grpc_latents", "latents only at 25 fps"), ("grpc_rendered", rendered)):
        if not report.get(name):
            continue
        lines += ["", f"Over gRPC, {title} ({processes} server process{'es' if processes > 1 else ''}; "
                  "real-time clients on the same cores):", "",
                  "| sessions | held real time | lateness p50 | p99 (worst session) | first frame beyond need (p50) "
                  "| server cores | load client cores | rendered frames/s |", "|---|---|---|---|---|---|---|---|"]
        for row in report.get(name, []):
            lines.append(f"| {row['sessions']} | {row['held_share']:.0%} | {row['p50_ms']} ms | {row['p99_ms']} ms "
                         f"| {row['first_frame_beyond_need_ms_p50']} ms | {row['server_cores']} "
                         f"| {row['client_cores']} | {row['rendered_fps']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer levels, shorter audio (a smoke run)")
    parser.add_argument("--no-grpc", action="store_true", help="the in-process curve only")
    parser.add_argument("--processes", type=int, default=1, help="server processes (serve --processes N)")
    parser.add_argument("--rendered-only", action="store_true", help="only the rendered sessions over gRPC")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in benchmarks/README.md")
    parser.add_argument("--portrait", default=None,
                        help="rendered sessions of a test-set portrait (tests/portrait_set.py); default: the astronaut")
    parser.add_argument("--fps", type=int, default=DEFAULT_FPS, help="frames per second of the rendered sessions")
    parser.add_argument("--rendered-levels", default=",".join(map(str, RENDERED_LEVELS)),
                        help="comma-separated counts of rendered sessions")
    parser.add_argument("--cold-bursts", type=int, default=0, metavar="N",
                        help="instead: N fresh servers, each meeting a burst of 128 sessions first, then once more")
    args = parser.parse_args()
    if args.cold_bursts:
        return cold_bursts(args.cold_bursts)
    levels = (1, 8, 32) if args.quick else LEVELS
    seconds = 4.0 if args.quick else 10.0
    speech = speech_samples(60.0, RATE)
    report = {"facecast": package_version(), "machine": f"{platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "mouth_model": DEFAULT_MOUTH_MODEL,
              "host_speed_at_start": host_speed.measure().as_dict(),
              "in_process": [] if args.rendered_only else [in_process(count, seconds, speech) for count in levels]}
    report["server_processes"] = args.processes
    if not args.no_grpc:
        flags = ("--max-sessions", str(2 * max(levels)))  # the default cap (64) is a capacity guess, not a limit here
        if args.processes > 1:
            flags += ("--processes", str(args.processes), "--port", str(free_port()))
        with ServerProcess(*flags) as server:
            report["grpc_latents"] = [] if args.rendered_only else [over_grpc(server, count, seconds)
                                                                    for count in levels]
            avatar_id = render_speed.create_avatar(server.address, args.portrait)
            rendered_levels = [int(count) for count in args.rendered_levels.split(",")]
            report["grpc_rendered"] = [over_grpc(server, count, seconds, avatar_id, args.fps)
                                       for count in (rendered_levels[:2] if args.quick else rendered_levels)]
            report["rendered_portrait"] = args.portrait or "astronaut"
    report["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["host_speed_at_end"] = host_speed.measure().as_dict()
    publish(report, render_table(report), RESULTS, None if args.no_readme else (BEGIN, END))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
