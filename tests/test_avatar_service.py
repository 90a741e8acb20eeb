"""Avatars over the wire: create (idempotent), get, list, delete, bad images, and sessions that
start from the portrait's own pose and expression."""

from __future__ import annotations

import io
from pathlib import Path

import grpc
import numpy as np
import pytest
from PIL import Image
from skimage import data

from runtime.arkit import BLENDSHAPE_NAMES
from service.api import animate_pb2, avatar_pb2
from tests import portraits
from tests.server_harness import (
    child_pids,
    chunked,
    config,
    end,
    motion_frames,
    run_session,
    start_server,
    stub_for,
    wait_until,
    wait_until_no_children_since,
)


@pytest.fixture(scope="module")
def portrait_png() -> bytes:
    return portraits.portrait_png("photo")


def _create(stub, image: bytes, name: str = "astronaut") -> avatar_pb2.CreateAvatarResponse:
    return stub.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=image, display_name=name), timeout=60)


def test_create_is_idempotent_and_measures_the_portrait(stub, portrait_png):
    first = _create(stub, portrait_png)
    again = _create(stub, portrait_png, name="another name")
    assert first.avatar.avatar_id == again.avatar.avatar_id and len(first.avatar.avatar_id) == 32
    assert (first.avatar.width, first.avatar.height) == (512, 512)
    assert len(first.avatar.rest_blendshapes) == len(BLENDSHAPE_NAMES)
    assert first.avatar.rest_blendshapes[0] < 0.5  # eyes open
    assert 5.0 < first.avatar.rest_head_pose.pitch_deg < 25.0  # the astronaut looks a little down


def test_a_new_avatars_renderer_is_built_before_its_first_session(server, stub, portrait_png):
    avatar_id = _create(stub, portrait_png).avatar.avatar_id
    wait_until(lambda: server.running.renderers.holds(avatar_id), timeout_s=60, what="the renderer built")


def test_get_list_and_delete(stub, portrait_png):
    created = _create(stub, portrait_png).avatar
    assert stub.GetAvatar(avatar_pb2.GetAvatarRequest(avatar_id=created.avatar_id)).avatar == created
    listed = stub.ListAvatars(avatar_pb2.ListAvatarsRequest()).avatars
    assert created.avatar_id in [avatar.avatar_id for avatar in listed]
    stub.DeleteAvatar(avatar_pb2.DeleteAvatarRequest(avatar_id=created.avatar_id))
    for call in (stub.GetAvatar, stub.DeleteAvatar):
        with pytest.raises(grpc.RpcError) as failure:
            call(avatar_pb2.GetAvatarRequest(avatar_id=created.avatar_id)
                 if call is stub.GetAvatar else avatar_pb2.DeleteAvatarRequest(avatar_id=created.avatar_id))
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("image", [b"", b"not an image at all", bytes(range(256)) * 10], ids=["empty", "text", "noise"])
def test_unusable_images_are_invalid(stub, image):
    with pytest.raises(grpc.RpcError) as failure:
        _create(stub, image)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "\n" not in failure.value.details()


def test_an_image_without_a_face_is_invalid(stub):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 130, 140)).save(buffer, format="PNG")
    with pytest.raises(grpc.RpcError) as failure:
        _create(stub, buffer.getvalue())
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "face" in failure.value.details()


def test_a_session_starts_from_the_portraits_own_pose_and_expression(stub, portrait_png, speech):
    avatar = _create(stub, portrait_png).avatar
    requests = [config(speech.sample_rate, avatar_id=avatar.avatar_id, seed=3), *chunked(speech.pcm16(), 4410), end()]
    responses = run_session(stub, requests)
    started = responses[0].started
    assert started.rest_head_pose == avatar.rest_head_pose
    assert list(started.rest_blendshapes) == list(avatar.rest_blendshapes)
    pitch = np.array([frame.head_pose.pitch_deg for frame in motion_frames(responses)])
    assert abs(np.median(pitch) - avatar.rest_head_pose.pitch_deg) < 3.0  # moves around its own pose


def _rendered(responses) -> list:
    return [response.frame for response in responses if response.WhichOneof("response") == "frame"]


def test_latents_and_frames_come_paired_and_the_background_stays(stub, portrait_png, speech):
    avatar = _create(stub, portrait_png).avatar
    # The whole portrait (not the default head framing), so the frame's corner is the portrait's corner.
    requests = [config(speech.sample_rate, avatar_id=avatar.avatar_id, output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES,
                       framing=animate_pb2.FRAMING_PORTRAIT), *chunked(speech.pcm16(), 8820), end()]
    responses = run_session(stub, requests)
    motion, frames = motion_frames(responses), _rendered(responses)
    assert [f.index for f in frames] == [m.index for m in motion]
    assert [f.time_s for f in frames] == [m.time_s for m in motion]
    assert {v.component for v in responses[0].started.model_versions} == {"mouth", "dynamics", "renderer"}
    images = [np.asarray(Image.open(io.BytesIO(frame.data))) for frame in frames[::20]]
    assert all(image.shape == (512, 512, 3) for image in images)
    source = data.astronaut().astype(int)
    for image in images:  # JPEG noise only in the corners: the background never moves
        assert np.abs(image[:40, :40].astype(int) - source[:40, :40]).mean() < 4.0
    change = np.stack([image.astype(float) for image in images]).std(axis=0).max(axis=2)  # (H, W)
    assert np.percentile(change, 99) > 10.0  # ...while the face moves


def test_frames_only_in_raw_rgba(stub, portrait_png):
    avatar = _create(stub, portrait_png).avatar
    requests = [config(16_000, avatar_id=avatar.avatar_id, output=animate_pb2.OUTPUT_FRAMES,
                       image_encoding=animate_pb2.IMAGE_ENCODING_RGBA, idle_s=1.0), end()]
    responses = run_session(stub, requests)
    assert not motion_frames(responses)
    frames = _rendered(responses)
    assert len(frames) == 25 and all(len(frame.data) == 512 * 512 * 4 for frame in frames)
    assert responses[-1].status.frames == 25


def test_render_processes_draw_the_same_frames_as_threads_and_stop_with_the_server(portrait_png):
    """Each server renders the same session's frames, one in a worker process, one on its own threads."""
    frames = {}
    for render_processes in (1, 0):
        server = start_server(render_processes=render_processes)
        try:
            with grpc.insecure_channel(server.address) as channel:
                stub = stub_for(channel)
                requests = [config(16_000, avatar_id=_create(stub, portrait_png).avatar.avatar_id,
                                   output=animate_pb2.OUTPUT_FRAMES, image_encoding=animate_pb2.IMAGE_ENCODING_RGBA,
                                   idle_s=0.4), end()]
                frames[render_processes] = [frame.data for frame in _rendered(run_session(stub, requests))]
            workers = server.running.renderers.worker_pids()
        finally:
            server.stop()
        assert len(workers) == render_processes and not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert len(frames[0]) == 10 and frames[1] == frames[0]


@pytest.mark.parametrize("started", [True, False], ids=["workers-building", "workers-starting"])
def test_a_stopped_server_leaves_no_render_worker_at_work(portrait_png, started):
    """Creating an avatar has every worker build its renderer (prepare, from a thread); a server stopped
    meanwhile stops its workers then and there — whether they are building it or still being started
    as it stops — not once they have built a renderer no one will use."""
    before = child_pids()
    server = start_server(render_processes=2)
    try:
        with grpc.insecure_channel(server.address) as channel:
            _create(stub_for(channel), portrait_png)
        if started:
            wait_until(lambda: len(server.running.renderers.worker_pids()) == 2, timeout_s=30,
                       what="the workers started")
    finally:
        server.stop()
    wait_until_no_children_since(before)


def test_frames_come_at_the_asked_size_and_framing(stub, portrait_png):
    avatar = _create(stub, portrait_png).avatar
    requests = [config(16_000, avatar_id=avatar.avatar_id, output=animate_pb2.OUTPUT_FRAMES,
                       image_encoding=animate_pb2.IMAGE_ENCODING_RGBA, idle_s=0.2, frame_size=256,
                       framing=animate_pb2.FRAMING_FACE), end()]
    frames = _rendered(run_session(stub, requests))
    assert frames and all((frame.width, frame.height, len(frame.data)) == (256, 256, 256 * 256 * 4) for frame in frames)


def test_a_frame_size_out_of_range_is_invalid(stub, portrait_png):
    avatar = _create(stub, portrait_png).avatar
    requests = [config(16_000, avatar_id=avatar.avatar_id, output=animate_pb2.OUTPUT_FRAMES, frame_size=2048), end()]
    with pytest.raises(grpc.RpcError) as failure:
        run_session(stub, requests)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "frame size" in failure.value.details()
