"""Draws docs/contact_sheet.png: closed-mouthed portraits wearing glasses — a photo, a painting and a
drawing (tests/portrait_set.py, all made from NASA's public-domain astronaut photo) — in the default
head-and-shoulders framing, each at rest and with single expressions and head turns, so the
synthesised mouth, the lids and the rigid glasses are what the sheet shows.

Run from the repository root: python docs/make_contact_sheet.py [--tile 256]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test portraits live in tests/

from runtime.arkit import blendshape_index  # noqa: E402
from runtime.face.avatar import analyse_avatar  # noqa: E402
from runtime.render.frame_renderer import FrameRenderer  # noqa: E402
from tests.portrait_set import portrait_png  # noqa: E402

ROWS = ("closed-photo-gold", "closed-stylization-yaw-grey-tint", "closed-pencil-turned-acetate")
LABEL_HEIGHT = 22
PITCH, YAW = 0, 1
_BOTH = ("Left", "Right")
# (column label, blendshape weights set, head-angle offsets): one change from the portrait's rest each.
COLUMNS = [
    ("neutral", {}, {}),
    ("mid vowel (jaw 0.35)", {"jawOpen": 0.35}, {}),
    ("wide (jaw 0.8)", {"jawOpen": 0.8}, {}),
    ("smile with teeth", {"jawOpen": 0.2, **{f"mouthSmile{side}": 1.0 for side in _BOTH},
                          **{f"mouthUpperUp{side}": 0.4 for side in _BOTH}}, {}),
    ("blink", {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0}, {}),
    ("pucker", {"mouthPucker": 1.0, "mouthSmileLeft": 0.0, "mouthSmileRight": 0.0}, {}),
    ("yaw -15", {"jawOpen": 0.3}, {YAW: -15.0}),
    ("yaw +15", {"jawOpen": 0.3}, {YAW: 15.0}),
]


def portrait_row(name: str, tile: int) -> list[Image.Image]:
    avatar = analyse_avatar(portrait_png(name), name)
    renderer = FrameRenderer(avatar)
    weights = np.repeat(avatar.rest_blendshapes[None], len(COLUMNS), axis=0)
    poses = np.repeat(avatar.rest_head_pose.as_array()[None], len(COLUMNS), axis=0)
    for row, (_, shapes, angles) in enumerate(COLUMNS):
        for shape, value in shapes.items():
            weights[row, blendshape_index(shape)] = value
        for column, offset in angles.items():
            poses[row, column] += offset
    frames = renderer.render_latents(weights, poses)
    return [Image.fromarray(frame).resize((tile, tile), Image.Resampling.LANCZOS) for frame in frames]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tile", type=int, default=256, help="each frame's side on the sheet (rendered at 512)")
    tile = parser.parse_args().tile
    sheet = Image.new("RGB", (tile * len(COLUMNS), LABEL_HEIGHT + tile * len(ROWS)), "white")
    draw = ImageDraw.Draw(sheet)
    for column, (label, _, _) in enumerate(COLUMNS):
        draw.text((column * tile + 6, 5), label, fill="black")
    for row, name in enumerate(ROWS):
        for column, image in enumerate(portrait_row(name, tile)):
            sheet.paste(image, (column * tile, LABEL_HEIGHT + row * tile))
    target = Path(__file__).resolve().parent / "contact_sheet.png"
    sheet.save(target, optimize=True)
    print(f"{target}: {sheet.width}x{sheet.height}, {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
