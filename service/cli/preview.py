"""`facecast preview IMAGE -o SHEET.png`: the portrait in the poses that show whether it passes for real
(runtime.render.expression_sheet) — at rest, a mid vowel, a wide jaw, a smile with teeth, a blink, a
pucker, the head turned each way — on one labelled sheet, to look at before shipping it as an avatar."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from runtime.atomic_file import check_output_directory
from runtime.errors import InvalidConfigError
from runtime.render.framing import DEFAULT_FRAME_OPTIONS, DEFAULT_FRAME_SIZE, FrameOptions, Framing
from service.cli.render import portrait_avatar

MIN_TILE, MAX_TILE = 64, 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Render IMAGE in eight poses (rest, mid vowel, wide jaw, smile with teeth, blink, "
                          "pucker, head turned each way) on one labelled PNG sheet.")
    parser.add_argument("image", type=Path, help="a portrait with one face (photo, painting, drawing)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="SHEET.png")
    parser.add_argument("--framing", choices=[framing.value for framing in Framing],
                        default=DEFAULT_FRAME_OPTIONS.framing.value,
                        help="head: head and shoulders; face: a close crop of the face; portrait: the whole image "
                             f"(default {DEFAULT_FRAME_OPTIONS.framing.value}, as `render` and `serve` frame it)")
    parser.add_argument("--tile", type=int, default=DEFAULT_FRAME_SIZE // 2,
                        help=f"each pose's width on the sheet in pixels, {MIN_TILE}..{MAX_TILE} (rendered at "
                             f"{DEFAULT_FRAME_SIZE}; default {DEFAULT_FRAME_SIZE // 2})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output.suffix.lower() != ".png":
        raise InvalidConfigError(f"{args.output}: the output must end in .png")
    check_output_directory(args.output)
    if not MIN_TILE <= args.tile <= MAX_TILE:
        raise InvalidConfigError(f"--tile must be within {MIN_TILE}..{MAX_TILE}, got {args.tile}")
    if not args.image.is_file():
        raise InvalidConfigError(f"{args.image}: no such file")
    avatar = portrait_avatar(args.image.read_bytes(), args.image.stem)
    from runtime.atomic_file import write_atomically
    from runtime.render.expression_sheet import POSES, labelled_row, pose_frames
    from runtime.render.frame_renderer import FrameRenderer  # torch: once the portrait is good

    renderer = FrameRenderer(avatar, FrameOptions(DEFAULT_FRAME_SIZE, Framing(args.framing)))
    frames = pose_frames(renderer, avatar)
    sheet = labelled_row(frames, args.tile)
    encoded = io.BytesIO()
    sheet.save(encoded, format="PNG", optimize=True)
    write_atomically(args.output, encoded.getvalue())
    # Said either way: glasses the search missed bend with the lids and brows (the blink pose shows it).
    glasses = "found, held rigid" if renderer.wears_glasses else "none found"
    print(f"{args.output}: {len(POSES)} poses, {sheet.width}x{sheet.height}; glasses: {glasses}")
    return 0
