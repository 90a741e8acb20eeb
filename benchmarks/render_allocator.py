"""What keeping freed frame buffers (runtime/render/allocator.py) is worth: CPU ms per 512² frame
(head framing, one torch thread unless told, batches of 1 and 8) and resident memory, with glibc's defaults and
with the buffers kept, in two worker processes whose rounds alternate, so the machine's load falls on
both alike. Portraits: the astronaut photo and the closed-mouthed photo with glasses.

    python -m benchmarks.render_allocator [--frames 32] [--rounds 5] [--threads 1] [--json OUT]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

from benchmarks.report import show

BATCHES = (1, 8)
PORTRAITS = ("photo", "closed-photo-gold")
SETTINGS = ("glibc defaults", "buffers kept")

_renderers: dict = {}  # a worker's own, built once


def _start(keep: bool, threads: int) -> None:
    import torch

    import runtime.render.frame_renderer as frame_renderer

    torch.set_num_threads(threads)
    if not keep:  # the worker renders with malloc as glibc sets it up
        frame_renderer.keep_freed_memory = lambda: False


def _build(frames: int) -> None:
    from benchmarks.render_layers import _latents
    from runtime.face.avatar import analyse_avatar
    from runtime.render.frame_renderer import FrameRenderer
    from tests.portrait_set import portrait_png

    for name in PORTRAITS:
        avatar = analyse_avatar(portrait_png(name), name)
        renderer = FrameRenderer(avatar)
        weights, poses = _latents(avatar, frames, seed=1)
        renderer.render_latents(weights[:max(BATCHES)], poses[:max(BATCHES)])  # warm-up
        _renderers[name] = (renderer, weights, poses)


def _round(batch: int) -> dict[str, float]:
    """CPU ms per frame of each portrait, every frame once in batches of `batch`."""
    timings = {}
    for name, (renderer, weights, poses) in _renderers.items():
        started = time.process_time()
        for first in range(0, len(weights), batch):
            renderer.render_latents(weights[first:first + batch], poses[first:first + batch])
        timings[name] = (time.process_time() - started) / len(weights) * 1000
    return timings


def _resident_mb() -> float:
    with open("/proc/self/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return round(kilobytes / 1024, 1)


def measure(frames: int, rounds: int, threads: int = 1) -> list[dict]:
    context = multiprocessing.get_context("spawn")
    pools = {setting: context.Pool(1, initializer=_start, initargs=(setting == SETTINGS[1], threads))
             for setting in SETTINGS}
    try:
        for pool in pools.values():
            pool.apply(_build, (frames,))
        samples = {(setting, batch): [] for setting in SETTINGS for batch in BATCHES}
        for _ in range(rounds):
            for batch in BATCHES:
                for setting, pool in pools.items():
                    samples[setting, batch].append(pool.apply(_round, (batch,)))
        resident = {setting: pool.apply(_resident_mb) for setting, pool in pools.items()}
    finally:
        for pool in pools.values():
            pool.terminate()
    return [_row(setting, batch, samples[setting, batch], resident[setting]) for setting in SETTINGS
            for batch in BATCHES]


def _row(setting: str, batch: int, rounds: list[dict[str, float]], resident_mb: float) -> dict:
    medians = {name: round(statistics.median(timings[name] for timings in rounds), 2) for name in PORTRAITS}
    return {"setting": setting, "batch": batch, "resident_mb": resident_mb, **medians}


def table(rows: list[dict]) -> str:
    lines = ["| malloc | batch | " + " | ".join(f"{name} (ms/frame)" for name in PORTRAITS) + " | resident MB |",
             "|---|---|" + "---|" * (len(PORTRAITS) + 1)]
    for row in rows:
        cells = " | ".join(f"{row[name]}" for name in PORTRAITS)
        lines.append(f"| {row['setting']} | {row['batch']} | {cells} | {row['resident_mb']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads in each worker")
    parser.add_argument("--json", type=str, default="")
    args = parser.parse_args()
    rows = measure(args.frames, args.rounds, args.threads)
    show(table(rows), rows, args.json)


if __name__ == "__main__":
    main()
