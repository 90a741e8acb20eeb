"""Rendered frames per second at 512², JPEG encoding included, for one stream and batched sessions.

`python -m benchmarks.run` measures the astronaut with random jaw, blinks and turns. On its own,

    python -m benchmarks.render_speed [--portrait NAME] [--speech] [--frames 96]

measures any portrait of the test set (tests/portrait_set.py: a closed-mouthed photo with glasses is
`closed-photo-gold`) and, with `--speech`, the frames real recorded speech asks for (the LibriVox
clips through the Animator): what a user's stream renders.
"""

from __future__ import annotations

import argparse
import functools
import io
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import grpc
import numpy as np
import torch
from PIL import Image

from benchmarks.report import show
from runtime.audio.pcm import AudioFormat
from runtime.face.avatar import Avatar, analyse_avatar
from runtime.pipeline import Animator, AnimatorOptions, run_clip
from runtime.render.encoders import EncodeOptions, ImageFormat, encode_frame
from runtime.render.frame_renderer import FrameRenderer
from runtime.types import EyeGaze, Gaze, HeadPose, MotionFrame
from service.api import animate_pb2, avatar_pb2, face_animation_pb2_grpc
from tests.portrait_set import portrait_png

BATCHES = (1, 4, 8)
FrameSource = Callable[[Avatar, int, int], list[MotionFrame]]  # (avatar, count, seed) → frames


def _astronaut_png() -> bytes:
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="PNG")  # NASA, public domain
    return buffer.getvalue()


def _astronaut() -> Avatar:
    return analyse_avatar(_astronaut_png(), "astronaut")


def create_avatar(address: str, portrait: str | None = None) -> str:
    """Stores the astronaut (or a test-set portrait) on a running server and warms its renderer (the
    first rendered session solves the warp field, about a second, once per avatar): later sessions
    see steady state."""
    image = _astronaut_png() if portrait is None else portrait_png(portrait)
    with grpc.insecure_channel(address) as channel:
        stub = face_animation_pb2_grpc.FaceAnimationStub(channel)
        avatar_id = stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image)).avatar.avatar_id
        config = animate_pb2.SessionConfig(avatar_id=avatar_id, output=animate_pb2.OUTPUT_FRAMES, idle_s=0.1,
                                           audio_format=animate_pb2.AudioFormat(
                                               encoding=animate_pb2.AUDIO_ENCODING_PCM_S16LE, sample_rate_hz=16_000))
        requests = [animate_pb2.AnimateRequest(config=config),
                    animate_pb2.AnimateRequest(end_of_audio=animate_pb2.EndOfAudio())]
        for _ in stub.Animate(iter(requests)):
            pass
    return avatar_id


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


def run(frames_per_case: int = 96, portrait: str | None = None, speech: bool = False) -> list[dict]:
    """Frames per second with two CPU threads: one render call at a time on both (torch's threads
    within each call), two calls side by side on one thread each (as `serve --render-processes 0
    --render-batches 2`), and two worker processes side by side on one thread each (as `serve` by
    default: `--render-processes`, one per core). `portrait`: a test-set portrait's name, None for
    the astronaut; `speech`: frames of real speech, not random ones."""
    torch.set_num_threads(2)
    avatar = _astronaut() if portrait is None else analyse_avatar(portrait_png(portrait), portrait)
    make_frames = _speech_frames if speech else _frames
    renderer = FrameRenderer(avatar)
    list(renderer.render(_frames(avatar, 2, 0)))  # warm-up
    rows = []
    for batch in BATCHES:
        frames = make_frames(avatar, frames_per_case, batch)
        started = time.perf_counter()
        _render_and_encode(renderer, frames, batch)
        rows.append(_row(batch, "one call, 2 threads", len(frames), time.perf_counter() - started))
    for batch in BATCHES:
        halves = _halves(make_frames, avatar, frames_per_case, batch)
        with ThreadPoolExecutor(2, initializer=torch.set_num_threads, initargs=(1,)) as workers:
            started = time.perf_counter()
            list(workers.map(_render_and_encode, [renderer] * 2, halves, [batch] * 2))
        elapsed = time.perf_counter() - started
        rows.append(_row(batch, "two calls side by side, 1 thread each", frames_per_case, elapsed))
    with multiprocessing.get_context("spawn").Pool(2, initializer=_worker_start, initargs=(avatar,)) as workers:
        workers.map(_worker_ready, range(2), chunksize=1)  # both built and warm before any timing
        for batch in BATCHES:
            started = time.perf_counter()
            halves = _halves(make_frames, avatar, frames_per_case, batch)
            workers.map(_worker_render, [(half, batch) for half in halves], chunksize=1)
            rows.append(_row(batch, "two processes side by side, 1 thread each", frames_per_case,
                             time.perf_counter() - started))
    return rows


_worker_renderer: FrameRenderer | None = None  # a worker process's own, as a render worker keeps it


def _worker_start(avatar: Avatar) -> None:
    global _worker_renderer
    torch.set_num_threads(1)
    _worker_renderer = FrameRenderer(avatar)
    _render_and_encode(_worker_renderer, _frames(avatar, 8, 99), 8)  # warm-up


def _worker_ready(_: int) -> None:
    time.sleep(0.2)  # holds this worker, so the pool hands the other call to the other one


def _worker_render(job: tuple[list[MotionFrame], int]) -> None:
    _render_and_encode(_worker_renderer, *job)


def _halves(make_frames: FrameSource, avatar: Avatar, count: int, batch: int) -> list[list[MotionFrame]]:
    """Two workers' shares of `count` frames, each its own motion."""
    return [make_frames(avatar, count // 2, batch + worker) for worker in (0, 1)]


def _speech_frames(avatar: Avatar, count: int, seed: int) -> list[MotionFrame]:
    """`count` consecutive frames of real recorded speech (the LibriVox clips through the Animator with
    the avatar's rest state), from a place in them that `seed` picks."""
    frames = _speech_motion(avatar)
    start = int(np.random.default_rng(seed).integers(0, max(1, len(frames) - count)))
    return [replace(frame, index=index) for index, frame in enumerate(frames[start:start + count])]


@functools.cache
def _speech_motion(avatar: Avatar) -> tuple[MotionFrame, ...]:
    from tests.fidelity import load_speech  # the test set's speech, as the fidelity harness reads it

    frames = []
    for samples in load_speech():
        animator = Animator(AnimatorOptions(audio_format=AudioFormat(sample_rate_hz=16_000), rest=avatar.rest_state))
        frames += [out for out in run_clip(animator, samples) if isinstance(out, MotionFrame)]
    return tuple(frames)


def _render_and_encode(renderer: FrameRenderer, frames: list[MotionFrame], batch: int) -> None:
    jpeg = EncodeOptions(ImageFormat.JPEG)
    for picture in renderer.render(frames, max_batch=batch):
        encode_frame(picture.rgb, jpeg)


def _row(batch: int, threads: str, frames: int, elapsed: float) -> dict:
    return {"batch": batch, "threads": threads, "frames": frames, "fps": round(frames / elapsed, 1),
            "ms_per_frame": round(elapsed / frames * 1000, 2)}


def table(rows: list[dict]) -> str:
    lines = ["| batch | threads | frames/s incl. JPEG | ms/frame |", "|---|---|---|---|"]
    lines += [f"| {row['batch']} | {row['threads']} | {row['fps']} | {row['ms_per_frame']} |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portrait", default=None,
                        help="a test-set portrait (tests/portrait_set.py); default: the astronaut")
    parser.add_argument("--speech", action="store_true", help="frames of real recorded speech, not random ones")
    parser.add_argument("--frames", type=int, default=96, help="frames per case")
    parser.add_argument("--json", type=str, default="")
    args = parser.parse_args()
    rows = run(args.frames, args.portrait, args.speech)
    show(table(rows), rows, args.json)


if __name__ == "__main__":
    main()
