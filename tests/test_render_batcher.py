"""RenderBatcher: concurrent sessions' frames rendered together, each session getting exactly its own
frames back, encoded its own way."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

import numpy as np
import pytest

from runtime.face.avatar import Avatar, analyse_avatar
from runtime.render.encoders import EncodeOptions, ImageFormat
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import FrameOptions
from runtime.types import EyeGaze, Gaze, MotionFrame
from service.render_batcher import RenderBatcher
from service.render_processes import RenderProcesses
from tests.portraits import portrait_png
from tests.server_harness import child_pids, wait_until_no_children_since


class RecordingRenderer(FrameRenderer):
    """The real renderer, noting how many frames each call drew."""

    def __init__(self, avatar: Avatar) -> None:
        super().__init__(avatar, FrameOptions(256))
        self.calls: list[int] = []

    def render_latents(self, blendshapes, poses):
        self.calls.append(len(blendshapes))
        return super().render_latents(blendshapes, poses)


@pytest.fixture(scope="module")
def avatar() -> Avatar:
    return analyse_avatar(portrait_png("photo"))


def _frames(avatar: Avatar, first: int, count: int) -> list[MotionFrame]:
    frames = []
    for index in range(first, first + count):
        weights = avatar.rest_blendshapes.copy()
        weights[17] = 0.1 * (index % 8)  # jawOpen: every frame different
        frames.append(MotionFrame(index, index / 25, avatar.rest_head_pose, weights,
                                  np.eye(15, dtype=np.float32)[0], Gaze(EyeGaze(), EyeGaze()), 1.0))
    return frames


def test_waiting_sessions_share_one_render_call_and_get_their_own_frames(avatar: Avatar) -> None:
    renderer = RecordingRenderer(avatar)
    jobs = [_frames(avatar, 10 * session, 1 + session % 2) for session in range(5)]

    async def sessions() -> list[list[bytes]]:
        batcher = RenderBatcher(renderer, executor)
        return await asyncio.gather(*(batcher.render(frames, EncodeOptions(ImageFormat.RGBA)) for frames in jobs))

    with ThreadPoolExecutor(2) as executor:
        results = asyncio.run(sessions())
    assert renderer.calls == [7]  # all five sessions' frames (1, 2, 1, 2, 1) in one call
    for frames, encoded in zip(jobs, results, strict=True):
        alone = FrameRenderer.render(renderer, frames)  # rendering batched or alone draws the same pixels
        assert len(encoded) == len(frames)
        for data, picture, frame in zip(encoded, alone, frames, strict=True):
            assert (picture.index, picture.time_s) == (frame.index, frame.time_s)
            rgba = np.frombuffer(data, np.uint8).reshape(*picture.rgb.shape[:2], 4)
            assert np.array_equal(rgba[..., :3], picture.rgb)


def test_batches_render_side_by_side_up_to_the_parallel_count(avatar: Avatar) -> None:
    """A session that asks while a batch renders starts its own on a second thread: both renders
    must be in flight at once to pass the barrier (one at a time, the first would wait alone)."""
    meeting = threading.Barrier(2, timeout=20.0)

    class Meeting(RecordingRenderer):
        def render_latents(self, blendshapes, poses):
            meeting.wait()
            return super().render_latents(blendshapes, poses)

    renderer = Meeting(avatar)

    async def two_sessions() -> list[list[bytes]]:
        batcher = RenderBatcher(renderer, executor, parallel=2)
        first = asyncio.ensure_future(batcher.render(_frames(avatar, 0, 1), EncodeOptions(ImageFormat.RGBA)))
        await asyncio.sleep(0.05)  # the first batch is rendering (waiting at the barrier)
        second = batcher.render(_frames(avatar, 10, 2), EncodeOptions(ImageFormat.RGBA))
        return await asyncio.gather(first, second)

    with ThreadPoolExecutor(2) as executor:
        results = asyncio.run(two_sessions())
    assert sorted(renderer.calls) == [1, 2] and [len(images) for images in results] == [1, 2]


def test_a_lone_frame_beside_a_running_batch_waits_for_the_next_one(avatar: Avatar) -> None:
    """One stream, frames one at a time, a batch rendering: a lone frame does not take the free slot
    (each render call costs about a frame again), the next frame joins it and the two render
    together; a lone frame asked for with the renderer idle starts at once."""
    gate, entered = threading.Event(), itertools.count()

    class Gated(RecordingRenderer):
        def render_latents(self, blendshapes, poses):
            if next(entered) == 0:
                gate.wait(timeout=20.0)  # the first batch renders until released
            return super().render_latents(blendshapes, poses)

    renderer = Gated(avatar)
    encoding = EncodeOptions(ImageFormat.RGBA)
    started: list[int] = []  # each batch's frames as it starts

    async def one_stream() -> list[list[bytes]]:
        batcher = RenderBatcher(renderer, executor, parallel=2, on_batch=started.append)
        first = asyncio.ensure_future(batcher.render(_frames(avatar, 0, 1), encoding))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(batcher.render(_frames(avatar, 1, 1), encoding))
        await asyncio.sleep(0.1)
        third = batcher.render(_frames(avatar, 2, 1), encoding)
        together = await asyncio.wait_for(asyncio.gather(second, third), 20.0)  # the first still at the gate
        gate.set()
        await first
        return [*together, await batcher.render(_frames(avatar, 3, 1), encoding)]

    with ThreadPoolExecutor(2) as executor:
        results = asyncio.run(one_stream())
    assert started == [1, 2, 1] and renderer.calls == [2, 1, 1] and [len(images) for images in results] == [1, 1, 1]


def test_free_renderers_share_the_queue(avatar: Avatar) -> None:
    """Two free render threads and five sessions' frames (1, 2, 1, 2, 1) queued at once: each thread
    takes about half, in arrival order (the first to start took all seven, the second none)."""
    renderer = RecordingRenderer(avatar)
    jobs = [_frames(avatar, 10 * session, 1 + session % 2) for session in range(5)]

    async def sessions() -> list[list[bytes]]:
        batcher = RenderBatcher(renderer, executor, parallel=2)
        return await asyncio.gather(*(batcher.render(frames, EncodeOptions(ImageFormat.RGBA)) for frames in jobs))

    with ThreadPoolExecutor(2) as executor:
        results = asyncio.run(sessions())
    assert sorted(renderer.calls) == [3, 4]
    assert [len(images) for images in results] == [len(frames) for frames in jobs]


def test_worker_processes_render_the_same_pixels_and_get_an_avatar_they_lost_again(avatar: Avatar) -> None:
    renderer = FrameRenderer(avatar, FrameOptions(256))
    jobs = [_frames(avatar, 0, 3), _frames(avatar, 20, 2)]

    async def sessions(processes: RenderProcesses) -> list[list[bytes]]:
        batcher = RenderBatcher(None, None, processes=processes, avatar=avatar, options=FrameOptions(256))
        first = await asyncio.gather(*(batcher.render(frames, EncodeOptions(ImageFormat.RGBA)) for frames in jobs))
        processes._workers[0].holds.add("another avatar")  # noqa: SLF001 - as if sent, then let go
        (lost,) = await asyncio.gather(processes.render(
            replace(avatar, avatar_id="another avatar"), FrameOptions(256), np.stack([avatar.rest_blendshapes]),
            np.stack([avatar.rest_head_pose.as_array()]), [EncodeOptions(ImageFormat.RGBA)]))
        return [*first, lost]

    processes = RenderProcesses(1)
    try:
        *results, lost = asyncio.run(sessions(processes))
    finally:
        processes.close()
    for frames, encoded in zip(jobs, results, strict=True):
        for data, picture in zip(encoded, FrameRenderer.render(renderer, frames), strict=True):
            assert np.array_equal(_rgb(data, picture.rgb.shape), picture.rgb)
    rest = renderer.render_latents(avatar.rest_blendshapes[None], avatar.rest_head_pose.as_array()[None])[0]
    assert np.array_equal(_rgb(lost[0], rest.shape), rest)


def _rgb(rgba: bytes, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(rgba, np.uint8).reshape(*shape[:2], 4)[..., :3]


def test_a_render_worker_that_dies_is_replaced_and_the_batch_rendered_again(avatar: Avatar) -> None:
    options, weights, poses = FrameOptions(256), avatar.rest_blendshapes[None], avatar.rest_head_pose.as_array()[None]

    async def render_kill_render(processes: RenderProcesses) -> tuple[list[bytes], list[int], list[bytes], list[int]]:
        first = await processes.render(avatar, options, weights, poses, [EncodeOptions(ImageFormat.RGBA)])
        killed = processes.pids()
        os.kill(killed[0], signal.SIGKILL)
        await asyncio.sleep(0.5)  # the pool notices its worker gone
        again = await processes.render(avatar, options, weights, poses, [EncodeOptions(ImageFormat.RGBA)])
        return first, killed, again, processes.pids()

    processes = RenderProcesses(1)
    try:
        first, killed, again, now = asyncio.run(render_kill_render(processes))
    finally:
        processes.close()
    assert again == first and len(now) == 1 and now != killed


def test_a_batch_rendering_as_the_workers_close_fails_and_is_not_rendered_again(avatar: Avatar) -> None:
    """Closing the workers (the server stopping) ends them mid-batch: the batch fails, rather than being
    rendered again on a worker started for it then, which would outlive the server."""
    options = FrameOptions(256)
    weights = np.repeat(avatar.rest_blendshapes[None], 64, axis=0)
    poses = np.repeat(avatar.rest_head_pose.as_array()[None], 64, axis=0)
    encodings = [EncodeOptions(ImageFormat.RGBA)] * 64

    async def close_mid_batch(processes: RenderProcesses) -> None:
        await processes.render(avatar, options, weights[:1], poses[:1], encodings[:1])  # the worker is up
        batch = asyncio.ensure_future(processes.render(avatar, options, weights, poses, encodings))
        await asyncio.sleep(0.2)  # sent: 64 frames take the worker a second or more
        processes.close()
        with pytest.raises(BrokenProcessPool):
            await batch

    before = child_pids()
    processes = RenderProcesses(1)
    try:
        asyncio.run(close_mid_batch(processes))
    finally:
        processes.close()
    wait_until_no_children_since(before)


def test_a_long_upload_renders_in_slices(avatar: Avatar) -> None:
    renderer = RecordingRenderer(avatar)
    with ThreadPoolExecutor(1) as executor:
        encoded = asyncio.run(RenderBatcher(renderer, executor, max_batch_frames=4).render(
            _frames(avatar, 0, 10), EncodeOptions(ImageFormat.JPEG, jpeg_quality=80)))
    assert renderer.calls == [4, 4, 2] and len(encoded) == 10 and all(data[:2] == b"\xff\xd8" for data in encoded)


def test_a_failed_render_fails_every_waiting_session(avatar: Avatar) -> None:
    class Broken(RecordingRenderer):
        def render_latents(self, blendshapes, poses):
            raise RuntimeError("out of memory")

    async def sessions():
        batcher = RenderBatcher(Broken(avatar), executor)
        calls = [batcher.render(_frames(avatar, 0, 1), EncodeOptions(ImageFormat.PNG)) for _ in range(3)]
        return await asyncio.gather(*calls, return_exceptions=True)

    with ThreadPoolExecutor(1) as executor:
        outcomes = asyncio.run(sessions())
    assert [str(outcome) for outcome in outcomes] == ["out of memory"] * 3


def test_preparing_on_a_worker_whose_pool_was_shut_down_is_left_to_the_first_batch(avatar: Avatar) -> None:
    """prepare() runs on an executor thread while the event loop may replace a dead worker's pool:
    a pool already shut down takes nothing, and the avatar counts as not sent (the first batch sends it)."""
    processes = RenderProcesses(1)
    processes.close()  # as render() shuts a broken pool down before replacing it
    processes.prepare(avatar, FrameOptions())
    assert processes._workers[0].holds == set()  # noqa: SLF001
