"""What each layer of the renderer costs: CPU ms per 512² frame (batch of 1, head framing, one torch
thread; the process's CPU time, which another job's load inflates far less than wall time) with the
layers switched on one by one, measured interleaved in one run so the machine's load falls on every
case alike. Portraits: the astronaut photo (her mouth open), the closed-mouthed photo with glasses
and the pencil drawing behind acetate from the test set (tests/portrait_set.py): a drawing's grain is
the paper's where the warp stretches it (stretched_grain.py), a step photos skip.

    python -m benchmarks.render_layers [--frames 60] [--json OUT]
"""

from __future__ import annotations

import argparse
import time
from contextlib import contextmanager

import numpy as np
import torch

from benchmarks.report import show
from runtime.arkit import blendshape_index
from runtime.face.avatar import analyse_avatar
from runtime.render.encoders import EncodeOptions, ImageFormat, encode_frame
from runtime.render.frame_renderer import FrameRenderer
from tests.portrait_set import portrait_png

PORTRAITS = ("photo", "closed-photo-gold", "closed-pencil-acetate")
# Cumulative cases: the warp alone, then each layer added (the lips and the interior are the mouth layer).
CASES = ("warp", "+ paper where stretched", "+ mouth (lips, interior)", "+ eyes (lids, irises)", "+ glasses",
         "+ JPEG (all layers)")


@contextmanager
def _layers(renderer: FrameRenderer, case: str):
    """The renderer with the layers after `case` switched off, restored afterwards."""
    warp = renderer._renderer
    order = CASES.index(case)
    saved = {"paper": warp.paper, "mouth": warp.mouth.forward, "eyes": warp.eyes.forward, "rigid": warp.rigid}
    if order < 1:
        warp.paper = None
    if order < 2:
        warp.mouth.forward = lambda *args, **kwargs: None
    if order < 3:
        warp.eyes.forward = lambda *args, **kwargs: None
    if order < 4:
        warp.rigid = None
    try:
        yield
    finally:
        warp.paper, warp.mouth.forward, warp.eyes.forward, warp.rigid = (saved["paper"], saved["mouth"], saved["eyes"],
                                                                         saved["rigid"])


def _latents(avatar, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Speech-like frames: the jaw and lids moving, the head turning a little."""
    generator = np.random.default_rng(seed)
    weights = np.repeat(avatar.rest_blendshapes[None], count, axis=0)
    poses = np.repeat(avatar.rest_head_pose.as_array()[None], count, axis=0)
    weights[:, blendshape_index("jawOpen")] = generator.uniform(0.0, 0.6, count)
    blink = generator.uniform(0.0, 1.0, count)
    weights[:, blendshape_index("eyeBlinkLeft")] = weights[:, blendshape_index("eyeBlinkRight")] = blink
    poses[:, 1] += generator.uniform(-8.0, 8.0, count)
    return weights, poses


JPEG = EncodeOptions(ImageFormat.JPEG)  # the server's default quality


def measure(frames: int) -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    for name in PORTRAITS:
        avatar = analyse_avatar(portrait_png(name), name)
        renderer = FrameRenderer(avatar)
        weights, poses = _latents(avatar, frames, seed=1)
        totals = dict.fromkeys(CASES, 0.0)
        for index in range(frames):  # interleaved: each frame through every case in turn
            for case in CASES:
                with _layers(renderer, case):
                    started = time.process_time()
                    image = renderer.render_latents(weights[index:index + 1], poses[index:index + 1])[0]
                    if case == CASES[-1]:
                        encode_frame(image, JPEG)
                    totals[case] += time.process_time() - started
        rows.append({"portrait": name, "glasses": renderer.wears_glasses, "drawn": renderer._renderer.paper is not None,
                     **{case: round(total / frames * 1000, 2) for case, total in totals.items()}})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| portrait | " + " | ".join(CASES) + " | frames/s on one core |", "|---" * (len(CASES) + 2) + "|"]
    for row in rows:
        skipped = {"+ glasses": not row["glasses"], "+ paper where stretched": not row["drawn"]}
        cells = ["—" if skipped.get(case) else f"{row[case]} ms" for case in CASES]
        lines.append(f"| {row['portrait']} | " + " | ".join(cells) + f" | {1000 / row[CASES[-1]]:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--json", type=str, default="")
    args = parser.parse_args()
    rows = measure(args.frames)
    show(table(rows), rows, args.json)


if __name__ == "__main__":
    main()
