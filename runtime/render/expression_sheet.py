"""An expression sheet: one portrait rendered in the poses that show whether it passes for real — at
rest, a mid vowel, a wide jaw, a smile with teeth, a blink, a pucker, the head turned each way — side by
side, each labelled. What a game developer checks before shipping an avatar (`facecast preview`), and
the rows of docs/contact_sheet.png.

Each pose is one change from the portrait's own rest state (its expression and head pose as analysed),
so the sheet shows what the renderer adds, not what the portrait already was."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from runtime.arkit import blendshape_index
from runtime.face.avatar import Avatar
from runtime.render.frame_renderer import FrameRenderer
from runtime.types import PoseColumn

_BOTH = ("Left", "Right")
LABEL_HEIGHT = 22  # pixels above the tiles for the poses' names


@dataclass(frozen=True)
class SheetPose:
    label: str
    shapes: dict[str, float] = field(default_factory=dict)  # ARKit weights set (the rest kept)
    angles: dict[PoseColumn, float] = field(default_factory=dict)  # degrees added to the rest pose


POSES = (
    SheetPose("neutral"),
    SheetPose("mid vowel (jaw 0.35)", {"jawOpen": 0.35}),
    SheetPose("wide (jaw 0.8)", {"jawOpen": 0.8}),
    SheetPose("smile with teeth", {"jawOpen": 0.2, **{f"mouthSmile{side}": 1.0 for side in _BOTH},
                                   **{f"mouthUpperUp{side}": 0.4 for side in _BOTH}}),
    SheetPose("blink", {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0}),
    SheetPose("pucker", {"mouthPucker": 1.0, "mouthSmileLeft": 0.0, "mouthSmileRight": 0.0}),
    SheetPose("yaw -15", {"jawOpen": 0.3}, {PoseColumn.YAW: -15.0}),
    SheetPose("yaw +15", {"jawOpen": 0.3}, {PoseColumn.YAW: 15.0}),
)


def pose_frames(renderer: FrameRenderer, avatar: Avatar, poses: tuple[SheetPose, ...] = POSES) -> np.ndarray:
    """(len(poses), H, W, 3) uint8: the renderer's frames of `avatar` (the one it was built for) in each
    pose, from its rest weights and head pose."""
    weights = np.repeat(avatar.rest_blendshapes[None], len(poses), axis=0)
    head = np.repeat(avatar.rest_head_pose.as_array()[None], len(poses), axis=0)
    for row, pose in enumerate(poses):
        for shape, value in pose.shapes.items():
            weights[row, blendshape_index(shape)] = value
        for column, offset in pose.angles.items():
            head[row, column] += offset
    return renderer.render_latents(weights, head)


def labelled_row(frames: np.ndarray, tile: int, poses: tuple[SheetPose, ...] = POSES,
                 labels: bool = True) -> Image.Image:
    """The frames side by side, each scaled to `tile` pixels wide, under their poses' names."""
    height = round(tile * frames.shape[1] / frames.shape[2])
    top = LABEL_HEIGHT if labels else 0
    row = Image.new("RGB", (tile * len(frames), top + height), "white")
    draw = ImageDraw.Draw(row)
    for column, (frame, pose) in enumerate(zip(frames, poses, strict=True)):
        row.paste(Image.fromarray(frame).resize((tile, height), Image.Resampling.LANCZOS), (column * tile, top))
        if labels:
            draw.text((column * tile + 6, 5), pose.label, fill="black")
    return row
