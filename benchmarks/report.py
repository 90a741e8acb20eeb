"""The benchmark report as a Markdown table, kept between markers in benchmarks/README.md."""

from __future__ import annotations

import json
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
TARGETS = {"realtime": 200.0, "first_frame_beyond_need_ms": 60.0, "sessions": 32}


def show(table: str, rows: list[dict], json_path: str = "") -> None:
    """A benchmark's Markdown table to stdout and, given a path, its rows as JSON there."""
    print(table)
    if json_path:
        Path(json_path).write_text(json.dumps(rows, indent=2))


def conditions(report: dict) -> str:
    """The mouth model measured, and how fast the host ran at the start and at the end (reports
    before 2026-12-04 carry neither)."""
    parts = [f", mouth model {report['mouth_model']}"] if "mouth_model" in report else []
    if "host_speed_at_start" in report:
        start, end = report["host_speed_at_start"], report["host_speed_at_end"]
        parts.append(f"; host speed at the start and the end: a Python loop {start['python_loop_ms']:.0f} and "
                     f"{end['python_loop_ms']:.0f} ms, float32 products {start['float32_products_ms']:.0f} and "
                     f"{end['float32_products_ms']:.0f} ms of CPU (`benchmarks/host_speed.py`; lower is faster)")
    return "".join(parts)


def render_table(report: dict) -> str:
    lines = [f"Measured {report['date']} on {report['machine']}, facecast {report['facecast']}{conditions(report)}.",
             "", "| measure | value | target |", "|---|---|---|"]
    for case in report["realtime_factor"]:
        lines.append(f"| real-time factor per core, {case['case']} | {case['realtime_factor_per_core']}× "
                     f"| ≥ {TARGETS['realtime']:.0f}× |")
    latency = report["latency"]
    lines += [
        f"| first frame, first chunk sent → frame received (p50 of {latency['sessions']}) "
        f"| {latency['first_frame_latency_ms_p50']} ms | — (includes the look-ahead) |",
        f"| first frame beyond the audio it needs (p50 / max) | {latency['first_frame_beyond_need_ms_p50']} / "
        f"{latency['first_frame_beyond_need_ms_max']} ms | ≤ {TARGETS['first_frame_beyond_need_ms']:.0f} ms |",
        f"| every frame beyond the audio it needs (p50 / p99), one session | {latency['frame_beyond_need_ms_p50']} / "
        f"{latency['frame_beyond_need_ms_p99']} ms | |",
    ]
    for row in report.get("render", []):
        threads = row.get("threads", "one call, 2 threads")
        target = "≥ 60 (one stream)" if row["batch"] == 1 else "≥ 200 batched"
        lines.append(f"| rendered 512² frames/s incl. JPEG, batch of {row['batch']}, {threads} | {row['fps']} "
                     f"({row['ms_per_frame']} ms/frame) | {target} |")
    held = [row["sessions"] for row in report["concurrency"] if row["held"] == row["sessions"]]
    lines.append(f"| concurrent real-time sessions held (latents only) | {max(held) if held else 0} "
                 f"| ≥ {TARGETS['sessions']} |")
    lines += ["", "| sessions | held real time | frame latency p50 | p99 (worst session) | max |",
              "|---|---|---|---|---|"]
    for row in report["concurrency"]:
        lines.append(f"| {row['sessions']} | {row['held']} | {row['p50_ms']} ms | {row['p99_ms']} ms "
                     f"| {row['max_ms']} ms |")
    lines += _rendered_rows(report)
    return "\n".join(lines)


def _rendered_rows(report: dict) -> list[str]:
    """Real-time sessions over gRPC that also receive 512² JPEG frames (the astronaut)."""
    if "rendered_latency" not in report:
        return []
    latency = report["rendered_latency"]
    lines = ["", "Rendered sessions over gRPC (latents + 512² JPEG frames; real-time 16 kHz audio, 20 ms chunks):",
             "",
             "| measure | value |", "|---|---|",
             f"| first rendered frame, first chunk sent → frame received (p50 of {latency['sessions']}) "
             f"| {latency['first_frame_latency_ms_p50']} ms |",
             f"| first rendered frame beyond the audio it needs (p50 / max) "
             f"| {latency['first_frame_beyond_need_ms_p50']} / {latency['first_frame_beyond_need_ms_max']} ms |",
             "", "| sessions | held real time | frames/s delivered | frame latency p50 | p99 (worst session) |",
             "|---|---|---|---|---|"]
    for row in report["rendered_concurrency"]:
        lines.append(f"| {row['sessions']} | {row['held']} | {row['rendered_fps']} | {row['p50_ms']} ms "
                     f"| {row['p99_ms']} ms |")
    if "user_stream" in report:
        stream = report["user_stream"]
        held = "yes" if stream["held"] else "no"
        streaming_fps = stream.get("stream_fps", "—")  # reports from before 2026-12-04 lack it
        lines += ["", "| one live stream of a user's portrait | frames/s while streaming | frames rendered "
                  "| held real time | frame latency p50 / p99 | target |", "|---|---|---|---|---|---|",
                  f"| {stream['portrait']} (closed mouth, glasses), {stream['fps']} fps, speech "
                  f"| {streaming_fps} | {stream.get('rendered_share', 1.0) * 100:.0f} % | {held} "
                  f"| {stream['p50_ms']} / {stream['p99_ms']} ms | ≥ {stream['fps']}, held |"]
    return lines


def publish(report: dict, table: str, results: Path, markers: tuple[str, str] | None) -> None:
    """Writes the raw report as JSON to `results`, prints it and its table, and puts the table between
    the `markers` of benchmarks/README.md (None: leave the README alone)."""
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(table)
    if markers is not None:
        write_readme_section(table, *markers)


def write_readme_section(table: str, begin: str, end: str, readme: Path = README) -> None:
    """Replaces what stands between the `begin` and `end` markers of `readme` (benchmarks/README.md)."""
    text = readme.read_text()
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{begin}\n{table}\n{end}{tail}")
