"""Draws docs/contact_sheet.png: three portraits (a photo, a painting-like and a drawing-like image,
tests/portraits.py) in face framing, each at rest and with single expressions and head turns.

Run from the repository root: python docs/make_contact_sheet.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test portraits live in tests/

from runtime.arkit import blendshape_index  # noqa: E402
from runtime.face.avatar import analyse_avatar  # noqa: E402
from runtime.render.frame_renderer import FrameRenderer  # noqa: E402
from runtime.render.framing import FrameOptions, Framing  # noqa: E402
from tests.portraits import PORTRAIT_NAMES, portrait_png  # noqa: E402

TILE = 192
LABEL_HEIGHT = 22
PITCH, YAW = 0, 1
# (column label, blendshape weights set, head-angle offsets): one change from the portrait's rest each.
COLUMNS = [
    ("neutral", {}, {}),
    ("jaw open", {"jawOpen": 0.7}, {}),
    ("smile", {"mouthSmileLeft": 1.0, "mouthSmileRight": 1.0}, {}),
    ("blink", {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0}, {}),
    ("pucker", {"mouthPucker": 1.0, "mouthSmileLeft": 0.0, "mouthSmileRight": 0.0}, {}),
    ("yaw -15", {}, {YAW: -15.0}),
    ("yaw +15", {}, {YAW: 15.0}),
    ("pitch -10", {}, {PITCH: -10.0}),
    ("pitch +10", {}, {PITCH: 10.0}),
]


def portrait_row(name: str) -> list[Image.Image]:
    avatar = analyse_avatar(portrait_png(name), name)
    renderer = FrameRenderer(avatar, FrameOptions(512, Framing.FACE))
    weights = np.repeat(avatar.rest_blendshapes[None], len(COLUMNS), axis=0)
    poses = np.repeat(avatar.rest_head_pose.as_array()[None], len(COLUMNS), axis=0)
    for row, (_, shapes, angles) in enumerate(COLUMNS):
        for shape, value in shapes.items():
            weights[row, blendshape_index(shape)] = value
        for column, offset in angles.items():
            poses[row, column] += offset
    frames = renderer.render_latents(weights, poses)
    return [Image.fromarray(frame).resize((TILE, TILE), Image.Resampling.LANCZOS) for frame in frames]


def main() -> None:
    sheet = Image.new("RGB", (TILE * len(COLUMNS), LABEL_HEIGHT + TILE * len(PORTRAIT_NAMES)), "white")
    draw = ImageDraw.Draw(sheet)
    for column, (label, _, _) in enumerate(COLUMNS):
        draw.text((column * TILE + 6, 5), label, fill="black")
    for row, name in enumerate(PORTRAIT_NAMES):
        for column, tile in enumerate(portrait_row(name)):
            sheet.paste(tile, (column * TILE, LABEL_HEIGHT + row * TILE))
    target = Path(__file__).resolve().parent / "contact_sheet.png"
    sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(f"{target}: {sheet.width}x{sheet.height}, {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
