"""`facecast vmc` against a peer: python-osc's own OSC server receives a real process's bundles on
loopback; the VRM expressions must be those of runtime.rigs.vrm for `facecast bake`'s frames."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import BlockingOSCUDPServer

from runtime.rigs.humanoid import head_local_rotation
from runtime.rigs.vrm import PERFECT_SYNC_NAMES, VRM_PRESETS, vrm_expressions
from runtime.types import Controls, Emotion, EyeGaze, Gaze, HeadPose, MotionFrame
from tests.server_harness import free_port
from tests.test_livelink import FPS, SEED, _run, baked, pcm16, wav  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.slow

RECEIVE_BUFFER_BYTES = 4 << 20  # Linux caps it at net.core.rmem_max (4 MiB by default)


def _received(audio: str, *flags: str) -> tuple[object, list[tuple[str, tuple]]]:
    messages: list[tuple[str, tuple]] = []
    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *arguments: messages.append((address, arguments)))
    # One thread, in arrival order (a thread per datagram may reorder them), with room for a burst:
    # the bridge sends a file's bundles as fast as it makes them, and loopback counts each
    # datagram's buffer, not its bytes, against the default receive buffer (drops at ~100 bundles).
    server = BlockingOSCUDPServer(("127.0.0.1", 0), dispatcher)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _run("vmc", audio, "--to", f"127.0.0.1:{server.server_address[1]}", "--fps", FPS, "--seed", SEED,
                      "--emotion", "happy:0.5", *flags)
    finally:
        time.sleep(0.3)  # the last bundles are in flight on loopback only briefly
        server.shutdown()
        server.server_close()
    return result, messages


def _frame(record: dict) -> MotionFrame:
    gaze, pose = record["gaze"], record["pose"]
    head_pose = HeadPose(pose["pitch"], pose["yaw"], pose["roll"], pose["x"], pose["y"], pose["z"])
    return MotionFrame(0, record["t"], head_pose, np.array(record["blendshapes"], np.float32),
                       np.array(record["visemes"], np.float32),
                       Gaze(EyeGaze(gaze[0], gaze[1]), EyeGaze(gaze[2], gaze[3])), 0.0)


def test_vmc_bundles_carry_the_baked_frames_vrm_expressions(wav, baked):  # noqa: F811
    result, messages = _received(str(wav))
    assert result.returncode == 0, result.stderr.decode()
    frames = baked["frames"]
    per_frame = 4 + len(VRM_PRESETS)  # OK, T, the Head bone, a Val per preset, Apply
    assert len(messages) == per_frame * len(frames)
    controls = Controls(emotion=Emotion.HAPPY, emotion_intensity=0.5)
    opened = 0.0
    turns = []
    for index, record in enumerate(frames):
        chunk = messages[index * per_frame:(index + 1) * per_frame]
        assert chunk[0] == ("/VMC/Ext/OK", (1,))
        assert chunk[1][0] == "/VMC/Ext/T" and chunk[1][1][0] == pytest.approx(record["t"], abs=1e-6)
        address, (bone, *pose) = chunk[2]
        assert (address, bone) == ("/VMC/Ext/Bone/Pos", "Head") and len(pose) == 7
        assert pose[:3] == [0.0, 0.0, 0.0]  # no --head-offset
        assert pose[3:] == pytest.approx(head_local_rotation(_frame(record)), abs=1e-6)  # x y z w, float32
        turns.append(pose[4])
        assert chunk[-1] == ("/VMC/Ext/Blend/Apply", ())
        values = {arguments[0]: arguments[1] for address, arguments in chunk[3:-1] if address == "/VMC/Ext/Blend/Val"}
        assert tuple(values) == VRM_PRESETS
        expected = vrm_expressions(_frame(record), controls)
        assert values == pytest.approx(expected, abs=1e-6)  # OSC floats are float32
        opened = max(opened, values["aa"])
        assert values["happy"] == pytest.approx(0.5)
    assert opened > 0.2, "speech should show an open vowel somewhere"
    assert np.ptp(turns) > 0, "the head should move"


def test_vmc_server_bundles_equal_the_in_process_ones(server, wav):  # noqa: F811
    """`--server`: the frames come from a real server on a loopback port, the same runtime: the
    same messages, value for value, as in-process."""
    local, local_messages = _received(str(wav))
    served, served_messages = _received(str(wav), "--server", server.address)
    assert local.returncode == served.returncode == 0, local.stderr.decode() + served.stderr.decode()
    assert served_messages == local_messages and len(local_messages) > 100


def test_vmc_unreachable_server_is_one_line(wav):  # noqa: F811
    address = f"127.0.0.1:{free_port()}"
    result = _run("vmc", str(wav), "--to", "127.0.0.1:39539", "--server", address)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr.decode()
    assert lines[0].startswith(f"facecast vmc: {address}: cannot connect")


def _bundles(messages: list[tuple[str, tuple]]) -> list[list[tuple[str, tuple]]]:
    """The messages cut into frames, each ending at its Apply."""
    frames, current = [], []
    for message in messages:
        current.append(message)
        if message[0] == "/VMC/Ext/Blend/Apply":
            frames.append(current)
            current = []
    assert not current
    return frames


@pytest.mark.parametrize("flags", [("--perfect-sync",), ("--perfect-sync", "--presets")], ids=["instead", "both"])
def test_vmc_perfect_sync_sends_the_baked_blendshapes_under_their_clip_names(wav, baked, flags):  # noqa: F811
    result, messages = _received(str(wav), *flags)
    assert result.returncode == 0, result.stderr.decode()
    bundles = _bundles(messages)
    assert len(bundles) == len(baked["frames"])
    presets = "--presets" in flags
    jaw = []
    for bundle, record in zip(bundles, baked["frames"], strict=True):
        weights = [arguments for address, arguments in bundle if address == "/VMC/Ext/Blend/Val"]
        assert [name for name, _ in weights] == [*(VRM_PRESETS if presets else ()), *PERFECT_SYNC_NAMES]
        values = dict(weights)
        assert [values[name] for name in PERFECT_SYNC_NAMES] == record["blendshapes"]  # float32 both ends: exact
        jaw.append(values["JawOpen"])
    assert max(jaw) > 0.2, "speech should open the jaw"
    summary = result.stdout.decode()
    assert "perfect sync" in summary and ("VRM presets" in summary) == presets


def test_vmc_head_offset_is_the_head_bones_position(wav):  # noqa: F811
    result, messages = _received(str(wav), "--head-offset", "0,0.09,-0.01")
    assert result.returncode == 0, result.stderr.decode()
    heads = [arguments for address, arguments in messages if address == "/VMC/Ext/Bone/Pos"]
    assert heads and all(head[1:4] == pytest.approx((0.0, 0.09, -0.01)) for head in heads)


@pytest.mark.parametrize(("flags", "line"), [
    (("--to", "nowhere"), "facecast vmc: --to must be HOST:PORT, got 'nowhere'"),
    (("--to", "127.0.0.1:39539", "--head-offset", "0,1"),
     "facecast vmc: --head-offset takes X,Y,Z in metres, got '0,1'"),
    (("--to", "127.0.0.1:39539", "--no-presets"),
     "facecast vmc: --no-presets sends no expressions at all: add --perfect-sync"),
])
def test_vmc_bad_flags_are_one_line(wav, flags, line):  # noqa: F811
    result = _run("vmc", str(wav), *flags)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and lines == [line]
