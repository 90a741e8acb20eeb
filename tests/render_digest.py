"""Digests of rendered frames, for changes to the renderer that must draw the same bits (speed work).

Renders seven portraits — the astronaut (her own teeth) and six of the test set (a closed-mouthed photo
in gold frames, a pencil drawing behind acetate, a stylised photo in silver frames, a small cartoon with
an open mouth, an oil painting in black acetate, an ink drawing in gold frames) — in head and face
framing, 20 frames of real speech (the LibriVox clips through the Animator) and 20 of random jaw, blinks
and turns each: 560 frames, each rendered alone and in batches of five. Every frame's SHA-256 goes to a
JSON file; a second run compares against it.

    python -m tests.render_digest --out before.json          # on the code before
    python -m tests.render_digest --against before.json      # on the code after

Exits 1 when a frame differs from the file given, or when any frame rendered alone differs from the
same frame rendered in a batch (FrameRenderer's promise). Takes ~40 s on one thread.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from itertools import zip_longest
from pathlib import Path

import numpy as np
import torch

from benchmarks.render_speed import _astronaut, _frames, _speech_frames
from runtime.face.avatar import Avatar, analyse_avatar
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import FrameOptions, Framing
from tests.portrait_set import portrait_png

PORTRAITS = ("astronaut", "closed-photo-gold", "closed-pencil-acetate", "closed-stylization-silver",
             "open-cartoon-small", "closed-oil-black-acetate", "closed-ink-gold")
FRAMES = 20  # of each kind, per portrait and framing
BATCH = 5


def _avatar(name: str) -> Avatar:
    return _astronaut() if name == "astronaut" else analyse_avatar(portrait_png(name), name)


def _digest(rgb: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest()[:16]


def digests() -> tuple[dict[str, list[str]], int]:
    """Each case's frame digests (rendered alone), and how many frames came out otherwise in batches."""
    cases, batch_differs = {}, 0
    for name in PORTRAITS:
        avatar = _avatar(name)
        for framing in (Framing.HEAD, Framing.FACE):
            renderer = FrameRenderer(avatar, FrameOptions(512, framing))
            for kind, frames in (("speech", _speech_frames(avatar, FRAMES, 3)), ("random", _frames(avatar, FRAMES, 5))):
                alone = [_digest(picture.rgb) for picture in renderer.render(frames, max_batch=1)]
                batched = [_digest(picture.rgb) for picture in renderer.render(frames, max_batch=BATCH)]
                batch_differs += sum(one != many for one, many in zip(alone, batched, strict=True))
                cases[f"{name}/{framing.value}/{kind}"] = alone
        print(f"{name}: rendered", file=sys.stderr, flush=True)
    return cases, batch_differs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.render_digest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the digests here")
    parser.add_argument("--against", type=Path, help="compare with digests written before")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    cases, batch_differs = digests()
    total = sum(len(frames) for frames in cases.values())
    print(f"{total} frames; rendered alone and in batches of {BATCH}: {batch_differs} differ")
    failed = batch_differs > 0
    if args.against:
        before = json.loads(args.against.read_text())
        # a frame on one side only (None on the other) differs too
        differ = {case: sum(a != b for a, b in zip_longest(frames, before.get(case, [])))
                  for case, frames in cases.items()}
        print(f"against {args.against}: {sum(differ.values())} of {total} frames differ")
        for case, count in differ.items():
            if count:
                print(f"  {case}: {count}")
        failed |= any(differ.values())
    if args.out:
        args.out.write_text(json.dumps(cases, indent=0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
