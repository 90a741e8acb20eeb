"""Load: N concurrent real-time streams for M minutes against a `facecast serve` of its own on
loopback, latents-only and rendered, plus a churn of many short sessions to see whether memory
stays flat. Bounded in count and time; it stops by itself.

    python -m benchmarks.load                        # 48 latents streams for 2 min, 3 rendered for 1 min, 3000 churned
    python -m benchmarks.load --streams 64 --minutes 5 --rendered-streams 4 --churn 2000
    python -m benchmarks.load --quick                # a 30 s smoke run

Writes benchmarks/results/load.json and its table in benchmarks/README.md (`--no-readme` to skip).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import grpc
import numpy as np

from benchmarks import render_speed, streaming
from benchmarks.report import publish
from benchmarks.speech import speech_samples
from runtime.version import package_version
from service.api import animate_pb2
from service.client import StreamRequest, StreamResult, stream_audio
from service.grpc_options import grpc_options
from service.process import ServerProcess, free_port
from service.settings import ServerSettings

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
MAX_STREAMS, MAX_MINUTES, MAX_CHURN = 512, 30.0, 100_000  # the bounds: a load run always ends
WARM_UP_SESSIONS = 100  # allocator arenas and caches settle before memory is first read
CHURN_BLOCK = 500  # memory is read after every block of this many churned sessions


@dataclass
class PhaseFigures:
    """One phase: its sessions, frame latencies beyond the audio they need, and failures."""

    name: str
    streams: int
    minutes: float
    sessions: int = 0
    sessions_held: int = 0
    frames: int = 0
    rendered_frames: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        latencies = np.array(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        figures = {key: value for key, value in asdict(self).items() if key != "latencies_ms"}
        return {**figures, "error_count": sum(self.errors.values()),
                "p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "p99_ms": round(float(np.percentile(latencies, 99)), 1),
                "max_ms": round(float(latencies.max()), 1)}


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server: the process and its children (with --processes N)."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += server_rss_mb(int(child))
    return total


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the server has used: the process and its children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += server_cpu_s(int(child))
    return total


def _channel(address: str) -> grpc.aio.Channel:
    # Each stream on a connection of its own, like separate game servers (channels in one process
    # otherwise share one connection, and with --processes all of it would go to one process).
    options = [*grpc_options(ServerSettings()), ("grpc.use_local_subchannel_pool", 1)]
    return grpc.aio.insecure_channel(address, options=options)


def _record(phase: PhaseFigures, result: StreamResult) -> None:
    phase.sessions += 1
    phase.frames += len(result.frames)
    phase.rendered_frames += result.rendered_frames
    latencies = streaming.frame_latencies_ms(result)
    phase.latencies_ms.extend(latencies.tolist())
    phase.sessions_held += bool(np.percentile(latencies, 99) <= streaming.HELD_P99_MS
                                and latencies.max() <= streaming.HELD_MAX_MS)


async def _slot(address: str, request: StreamRequest, until: float, delay_s: float, phase: PhaseFigures) -> None:
    """One stream: real-time sessions back to back until `until` (the last one may run past it)."""
    await asyncio.sleep(delay_s)
    async with _channel(address) as channel:
        while time.monotonic() < until:
            try:
                _record(phase, await stream_audio(channel, request))
            except grpc.aio.AioRpcError as error:
                phase.errors[error.code().name] = phase.errors.get(error.code().name, 0) + 1
                await asyncio.sleep(0.5)  # a failing server is not hammered


async def run_phase(address: str, phase: PhaseFigures, request: StreamRequest) -> PhaseFigures:
    until = time.monotonic() + phase.minutes * 60.0
    delays = np.linspace(0.0, 1.0, phase.streams, endpoint=False)  # starts spread over 1 s
    await asyncio.gather(*(_slot(address, request, until, float(delay), phase) for delay in delays))
    return phase


def measured_phase(server_pid: int, address: str, phase: PhaseFigures, request: StreamRequest) -> dict:
    """The phase's figures plus the server's CPU per stream: robust where other work shares the
    cores (the latency figures are not), and the basis of a capacity estimate."""
    cpu_before, started = server_cpu_s(server_pid), time.monotonic()
    asyncio.run(run_phase(address, phase, request))
    cpu_s, wall_s = server_cpu_s(server_pid) - cpu_before, time.monotonic() - started
    stream_seconds = phase.streams * wall_s
    return {**phase.summary(), "wall_s": round(wall_s, 1), "server_cpu_s": round(cpu_s, 1),
            "server_cores_per_stream": round(cpu_s / stream_seconds, 4),
            "streams_per_server_core": round(stream_seconds / cpu_s, 1),
            "rss_after_mb": round(server_rss_mb(server_pid), 1)}


async def churn(address: str, sessions: int, concurrency: int, request: StreamRequest) -> Counter:
    """`sessions` sessions, `concurrency` at a time: the memory-per-session probe (and warm-ups)."""
    errors: Counter = Counter()
    queue = iter(range(sessions))

    async def worker(channel: grpc.aio.Channel) -> None:
        for _ in queue:
            try:
                await stream_audio(channel, request)
            except grpc.aio.AioRpcError as error:
                errors[error.code().name] += 1

    async with _channel(address) as channel:
        await asyncio.gather(*(worker(channel) for _ in range(concurrency)))
    return errors


def churn_memory(pid: int, address: str, sessions: int, concurrency: int, request: StreamRequest) -> dict:
    """Resident memory over `sessions` short sessions, read after every block of CHURN_BLOCK: a
    leak grows steadily through the series, allocator warm-up only at its start."""
    asyncio.run(churn(address, WARM_UP_SESSIONS, concurrency, request))
    series, errors = [server_rss_mb(pid)], Counter()
    for start in range(0, sessions, CHURN_BLOCK):
        errors += asyncio.run(churn(address, min(CHURN_BLOCK, sessions - start), concurrency, request))
        series.append(server_rss_mb(pid))
    half = len(series) // 2  # the later half's slope: what a long-running server would keep growing by
    later_sessions = (len(series) - 1 - half) * CHURN_BLOCK
    return {"sessions": sessions, "concurrency": concurrency, "audio_s": request.samples.size / request.sample_rate,
            "errors": dict(errors), "error_count": sum(errors.values()),
            "rss_series_mb": [round(value, 1) for value in series], "block": CHURN_BLOCK,
            "rss_before_mb": round(series[0], 1), "rss_after_mb": round(series[-1], 1),
            "rss_growth_mb_per_1000_sessions": round((series[-1] - series[0]) / sessions * 1000, 2),
            "later_half_growth_mb_per_1000_sessions":
                round((series[-1] - series[half]) / later_sessions * 1000, 2) if later_sessions else None}


def measure(args: argparse.Namespace) -> dict:
    samples = speech_samples(args.session_s, streaming.SAMPLE_RATE)
    short = StreamRequest(speech_samples(1.0, streaming.SAMPLE_RATE), streaming.SAMPLE_RATE, chunk_s=streaming.CHUNK_S)
    report = {"facecast": package_version(), "date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "load_average_at_start": round(os.getloadavg()[0], 2), "session_audio_s": args.session_s,
              "processes": args.processes}
    scaling = ("--processes", str(args.processes), "--port", str(free_port())) if args.processes > 1 else ()
    with tempfile.TemporaryDirectory(prefix="facecast-load-") as avatars, ServerProcess(
            "--max-sessions", str(max(args.streams, args.rendered_streams, args.churn_concurrency) + 8),
            "--avatar-dir", avatars, *scaling) as server:
        for _ in range(args.processes - 1):
            server.wait_for("server_started", 120)
        pid = server.process.pid
        report["churn"] = churn_memory(pid, server.address, args.churn, args.churn_concurrency, short)
        latents = PhaseFigures("latents", args.streams, args.minutes)
        report["latents"] = measured_phase(pid, server.address, latents, StreamRequest(
            samples, streaming.SAMPLE_RATE, realtime=True, chunk_s=streaming.CHUNK_S))
        if args.rendered_streams:
            rendered = PhaseFigures("rendered", args.rendered_streams, args.rendered_minutes)
            request = StreamRequest(samples, streaming.SAMPLE_RATE, realtime=True, chunk_s=streaming.CHUNK_S,
                                    avatar_id=render_speed.create_avatar(server.address),
                                    output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES)
            # The first rendered session solves the avatar's warp field (~1 s): a one-off, not load.
            asyncio.run(churn(server.address, 1, 1, replace(short, avatar_id=request.avatar_id,
                                                             output=request.output)))
            report["rendered"] = measured_phase(pid, server.address, rendered, request)
    return report


def render_table(report: dict) -> str:
    churn = report["churn"]
    lines = [f"Measured {report['date']} on {report['machine']} (load average {report['load_average_at_start']} "
             f"at start: other work shares these cores), facecast {report['facecast']}, {report['processes']} server "
             f"process(es); sessions of {report['session_audio_s']:g} s of speech, back to back.", "",
             "| phase | streams × minutes | sessions | held real time | frame latency p50 / p99 / max | errors "
             "| server CPU per stream | streams per server core |",
             "|---|---|---|---|---|---|---|---|"]
    for name in ("latents", "rendered"):
        if name not in report:
            continue
        phase = report[name]
        lines.append(f"| {name} | {phase['streams']} × {phase['minutes']:g} | {phase['sessions']} "
                     f"| {phase['sessions_held']} ({phase['sessions_held'] / max(phase['sessions'], 1):.0%}) "
                     f"| {phase['p50_ms']} / {phase['p99_ms']} / {phase['max_ms']} ms | {phase['error_count']} "
                     f"| {phase['server_cores_per_stream'] * 100:.2f} % of a core "
                     f"| {phase['streams_per_server_core']} |")
    lines += ["", f"Memory: {churn['sessions']} sessions of {churn['audio_s']:g} s ({churn['concurrency']} at a time, "
              f"after {WARM_UP_SESSIONS} to warm up) took the server from {churn['rss_before_mb']} to "
              f"{churn['rss_after_mb']} MB RSS (after each {churn['block']}: "
              f"{', '.join(map(str, churn['rss_series_mb']))}): "
              f"**{churn['rss_growth_mb_per_1000_sessions']} MB per 1000 sessions** overall, "
              f"{churn['later_half_growth_mb_per_1000_sessions']} over the later half; {churn['error_count']} errors."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=48, help="concurrent latents-only streams (default 48)")
    parser.add_argument("--minutes", type=float, default=2.0, help="length of the latents phase (default 2)")
    parser.add_argument("--rendered-streams", type=int, default=3, help="concurrent rendered streams (0: skip)")
    parser.add_argument("--rendered-minutes", type=float, default=1.0, help="length of the rendered phase")
    parser.add_argument("--session-s", type=float, default=10.0, help="audio per session (default 10 s)")
    parser.add_argument("--churn", type=int, default=3000, help="short sessions for the memory probe (default 3000)")
    parser.add_argument("--churn-concurrency", type=int, default=16)
    parser.add_argument("--processes", type=int, default=1, help="serve --processes N (default 1)")
    parser.add_argument("--quick", action="store_true", help="16 streams for 0.5 min, 2 rendered, 300 churned")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in benchmarks/README.md")
    args = parser.parse_args()
    if args.quick:
        args.streams, args.minutes, args.rendered_streams, args.rendered_minutes, args.churn = 16, 0.5, 2, 0.5, 300
    if not (1 <= args.streams <= MAX_STREAMS and 0 <= args.rendered_streams <= MAX_STREAMS
            and 0 < args.minutes <= MAX_MINUTES and 0 < args.rendered_minutes <= MAX_MINUTES
            and 1 <= args.churn <= MAX_CHURN and 1 <= args.session_s <= 120 and 1 <= args.processes <= 16):
        parser.error(f"streams within [1, {MAX_STREAMS}], minutes within (0, {MAX_MINUTES:g}], "
                     f"churn within [1, {MAX_CHURN}], session-s within [1, 120], processes within [1, 16]")
    report = measure(args)
    publish(report, render_table(report), RESULTS, None if args.no_readme else (BEGIN, END))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
