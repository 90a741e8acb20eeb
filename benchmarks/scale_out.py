"""Scale-out on one machine: Debian's nginx (deploy/nginx) in front of N `facecast serve` processes
sharing one avatar store, on loopback. What the balancer costs, how evenly it spreads sessions,
and what a lost and a leaving server cost the sessions (DESIGN.md, "Scale-out").

    python -m benchmarks.scale_out              # 3 servers, 30 real-time sessions of 8 s; ~1 minute
    python -m benchmarks.scale_out --sessions 12 --session-s 5    # shorter

Figures go to benchmarks/results/scale_out.json and the table in benchmarks/README.md ("Scale-out").
Every process shares this machine's cores with the load client, so latencies are a floor on what
separate machines give; the comparisons (balancer vs direct) are made in one run, under one load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import tempfile
import time
import urllib.request
from pathlib import Path

import grpc
import numpy as np

from benchmarks import streaming
from benchmarks.report import publish
from benchmarks.run import latency
from benchmarks.speech import speech_samples
from runtime.version import package_version
from service.client import StartRetry, StreamRequest, stream_audio
from service.process import ServerProcess
from tests.nginx_balancer import NginxBalancer
from tests.server_harness import free_port

RESULTS = Path(__file__).resolve().parent / "results" / "scale_out.json"
BEGIN, END = "<!-- scale-out:begin -->", "<!-- scale-out:end -->"
RETRY = StartRetry()  # the reference client's defaults: 6 attempts, 0.25 s doubling to 4 s, 30 % jitter
GRACE_S = 30.0


def sessions_completed(metrics_port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith('facecast_sessions_total{status="OK"}'):
                return int(float(line.split()[-1]))
    return 0


async def _session(address: str, samples: np.ndarray, delay_s: float) -> dict:
    """One real-time session through `address` with start retries; its outcome and figures."""
    await asyncio.sleep(delay_s)
    request = StreamRequest(samples, streaming.SAMPLE_RATE, realtime=True, chunk_s=streaming.CHUNK_S)
    started = time.monotonic()
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            result = await stream_audio(channel, request, retry=RETRY)
        except grpc.aio.AioRpcError as error:
            return {"code": error.code().name}
    return {"code": "OK", "attempts": result.start_attempts, "held": streaming.session_figures(result)["held"],
            "start_ms": (result.first_chunk_sent_s - started) * 1000.0}


async def _sessions(address: str, samples: np.ndarray, count: int, stagger_s: float = 1.0) -> list[dict]:
    delays = np.linspace(0.0, stagger_s, count, endpoint=False)
    return await asyncio.gather(*(_session(address, samples, float(delay)) for delay in delays))


def spread(balancer: NginxBalancer, metrics: list[int], samples: np.ndarray, count: int) -> dict:
    before = [sessions_completed(port) for port in metrics]
    outcomes = asyncio.run(_sessions(balancer.address, samples, count))
    per_server = [sessions_completed(port) - b for port, b in zip(metrics, before, strict=True)]
    return {"sessions": count, "per_server": per_server, "held": sum(o.get("held", False) for o in outcomes),
            "errors": sum(o["code"] != "OK" for o in outcomes)}


async def _with_event(address: str, samples: np.ndarray, count: int, event, after_s: float) -> tuple[list[dict], dict]:
    """`count` sessions; `event()` runs `after_s` into them, then new sessions start at once."""
    running = asyncio.ensure_future(_sessions(address, samples, count))
    await asyncio.sleep(after_s)
    event()
    event_at = time.monotonic()
    late = await _sessions(address, samples[: streaming.SAMPLE_RATE * 2], 6, stagger_s=0.0)
    return await running, {"new_after_event": late, "event_at": event_at}


def failover(servers: list[ServerProcess], balancer: NginxBalancer, samples: np.ndarray, count: int) -> dict:
    victim = servers[0]
    outcomes, after = asyncio.run(_with_event(balancer.address, samples, count,
                                              lambda: victim.process.send_signal(signal.SIGKILL), 2.0))
    victim.process.wait(30)
    return _outcome_figures(outcomes, after["new_after_event"])


def drain(servers: list[ServerProcess], balancer: NginxBalancer, samples: np.ndarray, count: int) -> dict:
    leaving = servers[1]
    outcomes, after = asyncio.run(_with_event(balancer.address, samples, count,
                                              lambda: leaving.process.send_signal(signal.SIGTERM), 2.0))
    exit_code = leaving.process.wait(GRACE_S + 10)
    figures = _outcome_figures(outcomes, after["new_after_event"])
    return {**figures, "exit_code": exit_code}


def _outcome_figures(outcomes: list[dict], new: list[dict]) -> dict:
    codes: dict[str, int] = {}
    for outcome in outcomes:
        codes[outcome["code"]] = codes.get(outcome["code"], 0) + 1
    started = [o for o in new if o["code"] == "OK"]
    return {"running": len(outcomes), "ended": codes, "held": sum(o.get("held", False) for o in outcomes),
            "new_sessions": len(new), "new_ok": len(started),
            "new_start_attempts": sorted(o["attempts"] for o in started),
            "new_start_ms_max": round(max((o["start_ms"] for o in started), default=0.0), 1)}


def measure(args: argparse.Namespace) -> dict:
    report = {"facecast": package_version(), "machine": f"{platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"),
              "load_average_at_start": round(os.getloadavg()[0], 2), "servers": args.servers,
              "session_s": args.session_s}
    samples = speech_samples(args.session_s, streaming.SAMPLE_RATE)
    with tempfile.TemporaryDirectory(prefix="facecast-scale-out-") as folder:
        metrics = [free_port() for _ in range(args.servers)]
        servers = [ServerProcess("--avatar-dir", f"{folder}/avatars", "--grace-s", str(GRACE_S),
                                 "--metrics-port", str(port), "--workers", "1") for port in metrics]
        balancer = NginxBalancer(Path(folder) / "nginx", [server.address for server in servers])
        try:
            report["latency_direct"] = latency(servers[-1].address, args.latency_sessions, 4.0)
            report["latency_through_nginx"] = latency(balancer.address, args.latency_sessions, 4.0)
            report["spread"] = spread(balancer, metrics, samples, args.sessions)
            report["sigkill"] = failover(servers, balancer, samples, args.sessions)
            report["sigterm"] = drain(servers, balancer, samples, args.sessions)
        finally:
            for server in servers:
                if server.process.poll() is None:
                    server.process.kill()
            balancer.stop()
    return report


def render_table(report: dict) -> str:
    direct, proxied = report["latency_direct"], report["latency_through_nginx"]
    kill, term, spread_ = report["sigkill"], report["sigterm"], report["spread"]
    return "\n".join([
        f"Measured {report['date']} on {report['machine']} (load average {report['load_average_at_start']} at "
        f"start), facecast {report['facecast']}: nginx {report['servers']} × `facecast serve` on loopback, "
        f"real-time sessions of {report['session_s']:g} s of speech.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| frame latency beyond the audio it needs, p50 / p99, direct | {direct['frame_beyond_need_ms_p50']} / "
        f"{direct['frame_beyond_need_ms_p99']} ms |",
        f"| the same through nginx | {proxied['frame_beyond_need_ms_p50']} / "
        f"{proxied['frame_beyond_need_ms_p99']} ms |",
        f"| first frame, first chunk sent → frame received (p50), direct / through nginx | "
        f"{direct['first_frame_latency_ms_p50']} / {proxied['first_frame_latency_ms_p50']} ms |",
        f"| {spread_['sessions']} sessions through nginx: per server | {' / '.join(map(str, spread_['per_server']))} "
        f"({spread_['held']} held real time, {spread_['errors']} errors) |",
        f"| SIGKILL one server 2 s into {kill['running']} sessions: how they ended | {_codes(kill['ended'])} "
        f"({kill['held']} held real time) |",
        f"| then 6 new sessions: started / start attempts / slowest start | {kill['new_ok']} of 6 / "
        f"{kill['new_start_attempts']} / {kill['new_start_ms_max']} ms |",
        f"| SIGTERM another 2 s into {term['running']} sessions: how they ended | {_codes(term['ended'])} "
        f"({term['held']} held real time); exit code {term['exit_code']} |",
        f"| then 6 new sessions: started / start attempts / slowest start | {term['new_ok']} of 6 / "
        f"{term['new_start_attempts']} / {term['new_start_ms_max']} ms |",
    ])


def _codes(codes: dict[str, int]) -> str:
    return ", ".join(f"{count} {code}" for code, count in sorted(codes.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--session-s", type=float, default=8.0)
    parser.add_argument("--latency-sessions", type=int, default=6)
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in benchmarks/README.md")
    args = parser.parse_args()
    report = measure(args)
    publish(report, render_table(report), RESULTS, None if args.no_readme else (BEGIN, END))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
