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

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test portraits live in tests/

from runtime.face.avatar import analyse_avatar  # noqa: E402
from runtime.render.expression_sheet import labelled_row, pose_frames  # noqa: E402
from runtime.render.frame_renderer import FrameRenderer  # noqa: E402
from tests.portrait_set import portrait_png  # noqa: E402

ROWS = ("closed-photo-gold", "closed-stylization-yaw-grey-tint", "closed-pencil-turned-acetate")


def portrait_row(name: str, tile: int, labels: bool) -> Image.Image:
    """The portrait in the sheet's poses, under their names if `labels` (the top row)."""
    avatar = analyse_avatar(portrait_png(name), name)
    return labelled_row(pose_frames(FrameRenderer(avatar), avatar), tile, labels=labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tile", type=int, default=256, help="each frame's side on the sheet (rendered at 512)")
    tile = parser.parse_args().tile
    rows = [portrait_row(name, tile, labels=index == 0) for index, name in enumerate(ROWS)]
    sheet = Image.new("RGB", (rows[0].width, sum(row.height for row in rows)), "white")
    top = 0
    for row in rows:
        sheet.paste(row, (0, top))
        top += row.height
    target = Path(__file__).resolve().parent / "contact_sheet.png"
    sheet.save(target, optimize=True)
    print(f"{target}: {sheet.width}x{sheet.height}, {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
