"""Rendered frames per second at 512², JPEG encoding included, for one stream and batched sessions."""

from __future__ import annotations

import io
import time

import numpy as np
import torch
from PIL import Image

from runtime.face.avatar import Avatar, analyse_avatar
from runtime.render.encoders import ImageFormat, encode_frame
from runtime.render.frame_renderer import FrameRenderer
from runtime.types import EyeGaze, Gaze, HeadPose, MotionFrame

BATCHES = (1, 4, 8)


def _astronaut() -> Avatar:
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="PNG")
    return analyse_avatar(buffer.getvalue(), "astronaut")


def _frames(avatar: Avatar, count: int, seed: int) -> list[MotionFrame]:
    generator = np.random.default_rng(seed)
    frames = []
    for index in range(count):
        weights = avatar.rest_blendshapes.copy()
        weights[17] = generator.uniform(0.0, 0.7)  # jawOpen
        weights[0] = weights[7] = generator.uniform(0.0, 1.0)  # blinks
        pose = HeadPose(pitch_deg=avatar.rest_head_pose.pitch_deg + generator.uniform(-5, 5),
                        yaw_deg=generator.uniform(-10, 10))
        frames.append(MotionFrame(index, index / 25, pose, weights, np.eye(15, dtype=np.float32)[0], Gaze(
            EyeGaze(), EyeGaze()), 1.0))
    return frames


def run(frames_per_case: int = 96) -> list[dict]:
    torch.set_num_threads(2)
    avatar = _astronaut()
    renderer = FrameRenderer(avatar)
    renderer.render(_frames(avatar, 2, 0))  # warm-up
    rows = []
    for batch in BATCHES:
        frames = _frames(avatar, frames_per_case, batch)
        started = time.perf_counter()
        for start in range(0, len(frames), batch):
            for image in renderer.render(frames[start:start + batch]):
                encode_frame(image, ImageFormat.JPEG, 85)
        elapsed = time.perf_counter() - started
        rows.append({"batch": batch, "frames": len(frames), "fps": round(len(frames) / elapsed, 1),
                     "ms_per_frame": round(elapsed / len(frames) * 1000, 2)})
    return rows
