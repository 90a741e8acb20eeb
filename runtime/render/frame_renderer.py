"""Motion frames → pictures of one avatar: the bridge from the Animator's latents to the warp
renderer, batched (a push's frames are rendered together)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from runtime.face.avatar import Avatar
from runtime.face.glasses import find_glasses
from runtime.render.framing import DEFAULT_FRAME_OPTIONS, FrameOptions, frame_portrait
from runtime.render.warp_renderer import WarpRenderer
from runtime.types import MotionFrame


class FrameRenderer:
    """Built once per avatar and framing (the thin-plate-spline basis takes about a second);
    thread-safe to share between sessions because rendering only reads it."""

    name = "warp"
    version = "3"

    def __init__(self, avatar: Avatar, options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> None:
        self.avatar_id = avatar.avatar_id
        self.options = options
        framed = frame_portrait(avatar.image, avatar.landmarks, options)
        left, top, self.width, self.height = framed.crop
        self._rows, self._columns = slice(top, top + self.height), slice(left, left + self.width)
        glasses = find_glasses(framed.image, framed.landmarks)
        self.wears_glasses = glasses is not None
        self._renderer = WarpRenderer(framed.image, framed.landmarks, rest=avatar.rest_state, rigid_mask=glasses)

    def render(self, frames: Sequence[MotionFrame]) -> list[np.ndarray]:
        """(H, W, 3) uint8 RGB for each frame, in order."""
        if not frames:
            return []
        blendshapes = np.stack([frame.blendshapes for frame in frames])  # (B, 52)
        poses = np.stack([frame.head_pose.as_array() for frame in frames])  # (B, 6)
        return list(self.render_latents(blendshapes, poses))

    def render_latents(self, blendshapes: np.ndarray, poses: np.ndarray) -> np.ndarray:
        """(B, 52) ARKit weights and (B, 6) head poses → (B, H, W, 3) uint8 RGB frames."""
        with torch.inference_mode():
            images = self._renderer.render(blendshapes, poses)  # (B, H', W', 3): the frame and its margin
            return images[:, self._rows, self._columns].cpu().numpy()
