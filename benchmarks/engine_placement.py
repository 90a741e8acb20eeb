"""Where the motion engine runs, side by side: on the serving process's event loop (the default), in
a worker process of its own (`serve --engine-process 1`), or in each of two serving processes
sharing the port (`serve --processes 2`).

    python -m benchmarks.engine_placement [--sessions 64 128] [--seconds 15] [--rounds 2]

For each level, the three servers (each a fresh `facecast serve`, warmed by one short session) are
measured one after the other, in turn over `--rounds`, so that the machine's drift falls on all
three alike: N real-time latents sessions over gRPC from this process (benchmarks.engine_curve's
`over_grpc`: held real time, lateness p50 / p99, the first frame). CPU: every process of the server
together, and of that the engine worker's; the load client's own, which shares the cores.
Raw rows in benchmarks/results/engine_placement.json; a table on stdout, with the host's speed at the
start and the end (benchmarks/host_speed.py: this machine's speed drifts by ±10 % within an hour).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from benchmarks import host_speed, streaming
from benchmarks.engine_curve import over_grpc
from benchmarks.load import server_cpu_s
from benchmarks.speech import speech_samples
from service.process import ServerProcess, free_port

RESULTS = Path(__file__).resolve().parent / "results" / "engine_placement.json"
PLACEMENTS = {"event loop": (), "engine process": ("--engine-process", "1"), "2 processes": ("--processes", "2")}


def measure(placement: str, count: int, seconds: float) -> dict:
    flags = PLACEMENTS[placement]
    if "--processes" in flags:
        flags = (*flags, "--port", str(free_port()))
    with ServerProcess("--max-sessions", "1024", *flags) as server:
        worker = next((record["pid"] for record in server.log if record["event"] == "engine_worker_started"), None)
        asyncio.run(streaming.run_sessions(server.address, speech_samples(1.0, streaming.SAMPLE_RATE), 1))  # warm
        worker_cpu, started = (server_cpu_s(worker) if worker else 0.0), time.monotonic()
        row = over_grpc(server, count, seconds)
        worker_cores = (server_cpu_s(worker) - worker_cpu) / (time.monotonic() - started) if worker else 0.0
    return {"placement": placement, **row, "engine_worker_cores": round(worker_cores, 2)}


def table(rows: list[dict]) -> str:
    lines = ["| sessions | engine | held | lateness p50 / p99 | first frame beyond need | server cores (engine worker) "
             "| load client cores |", "|---|---|---|---|---|---|---|"]
    for row in sorted(rows, key=lambda row: (row["sessions"], list(PLACEMENTS).index(row["placement"]))):
        worker = f" ({row['engine_worker_cores']})" if row["placement"] == "engine process" else ""
        lines.append(f"| {row['sessions']} | {row['placement']} | {row['held_share']:.0%} | {row['p50_ms']} / "
                     f"{row['p99_ms']} ms | {row['first_frame_beyond_need_ms_p50']} ms | {row['server_cores']}{worker} "
                     f"| {row['client_cores']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--placements", nargs="+", default=list(PLACEMENTS), choices=list(PLACEMENTS))
    args = parser.parse_args()
    rows = []
    print(f"host speed at the start: {host_speed.measure().describe()}", flush=True)
    for count in args.sessions:
        for _ in range(args.rounds):
            for placement in args.placements:
                rows.append(measure(placement, count, args.seconds))
                print(json.dumps(rows[-1]), flush=True)
    RESULTS.write_text(json.dumps(rows, indent=2))
    print(f"host speed at the end: {host_speed.measure().describe()}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
