"""The `facecast` command as a user runs it: serve, stream, bake — in real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from runtime.arkit import Blendshape
from runtime.audio.files import load_audio
from runtime.motion_clip import read_clip
from runtime.train.espeak import synthesize, write_wav
from service.process import ServerProcess, facecast_command
from tests.server_harness import free_port
from tests.speech import PARAGRAPH

pytestmark = pytest.mark.slow


def _run(*args: str, timeout_s: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(facecast_command(*args), capture_output=True, text=True, timeout=timeout_s)


@pytest.fixture(scope="module")
def wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "speech.wav"
    write_wav(path, synthesize(PARAGRAPH))
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = ServerProcess("--avatar-dir", str(tmp_path_factory.mktemp("avatars")))
    yield server
    server.stop()


def test_stream_json_reports_the_session(served, wav):
    result = _run("stream", str(wav), "--server", served.address, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["frames"] == int(np.ceil(summary["duration_s"] * 25 - 1e-6))
    assert summary["fps"] == 25 and len(summary["blendshape_names"]) == 52
    assert summary["realtime_factor"] > 1.0
    assert 0 < summary["first_frame_latency_ms"] < 5000
    assert summary["jaw_open_max"] > 0.3
    assert [event["type"] for event in summary["events"]][-1] == "end_of_audio"


def test_stream_prints_a_readable_summary(served, wav):
    result = _run("stream", str(wav), "--server", served.address)
    assert result.returncode == 0, result.stderr
    assert "frames at 25 fps" in result.stdout and "first frame after" in result.stdout


def test_sigterm_lets_running_streams_finish(wav):
    server = ServerProcess("--grace-s", "20", "--avatar-dir", str(wav.parent / "avatars"))
    try:
        command = facecast_command("stream", str(wav), "--server", server.address, "--realtime", "--json")
        client = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        server.wait_for("session_start")  # the stream is under way, paced at real time
        server.process.send_signal(signal.SIGTERM)
        draining = server.wait_for("server_draining")
        assert draining["active_sessions"] == 1
        out, err = client.communicate(timeout=60)
        assert client.returncode == 0, err
        summary = json.loads(out)
        assert summary["frames"] == int(np.ceil(summary["duration_s"] * 25 - 1e-6))
        server.wait_for("server_stopped")
        assert server.process.wait(30) == 0
        assert _run("stream", str(wav), "--server", server.address, "--timeout-s", "3").returncode == 1
    finally:
        server.stop()


@pytest.mark.parametrize("suffix", [".json", ".msgpack"])
def test_bake_writes_the_documented_clip(tmp_path, wav, suffix):
    output = tmp_path / f"clip{suffix}"
    result = _run("bake", str(wav), "-o", str(output), "--fps", "30", "--seed", "3")
    assert result.returncode == 0, result.stderr
    clip = read_clip(output)
    assert clip["format"] == "facecast.motion" and clip["version"] == 1 and clip["fps"] == 30
    assert len(clip["blendshape_names"]) == 52 and len(clip["viseme_names"]) == 15
    frames = clip["frames"]
    assert len(frames) == int(np.ceil(clip["duration_s"] * 30 - 1e-9))
    assert set(frames[0]) == {"t", "pose", "blendshapes", "visemes", "gaze", "voice_activity"}
    assert set(frames[0]["pose"]) == {"pitch", "yaw", "roll", "x", "y", "z"}
    assert len(frames[0]["blendshapes"]) == 52 and len(frames[0]["visemes"]) == 15 and len(frames[0]["gaze"]) == 4
    assert np.all(np.diff([frame["t"] for frame in frames]) > 0)
    assert max(frame["blendshapes"][17] for frame in frames) > 0.3
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind


@pytest.mark.parametrize("make_args", [
    lambda tmp, wav: ("bake", str(tmp / "missing.wav"), "-o", str(tmp / "out.json")),
    lambda tmp, wav: ("bake", str(wav), "-o", str(tmp / "out.txt")),
    lambda tmp, wav: ("bake", str(Path(__file__)), "-o", str(tmp / "out.json")),
    lambda tmp, wav: ("bake", "-o", str(tmp / "out.json")),
], ids=["missing-audio", "bad-suffix", "not-audio", "neither-audio-nor-idle"])
def test_user_errors_are_one_line_without_a_traceback(tmp_path, wav, make_args):
    result = _run(*make_args(tmp_path, wav))
    assert result.returncode == 1
    assert _one_line(result.stderr).startswith("facecast ")
    assert not list(tmp_path.glob("out.*"))


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(("flags", "field"), [(("--fps", "0"), "fps"), (("--fps", "61"), "fps"),
                                              (("--seed", "-1"), "seed"), (("--seed", str(2**64)), "seed")])
def test_bad_flags_are_refused_the_same_way_by_every_command(served, tmp_path, wav, flags, field):
    """`stream` to a running server once sent --seed -1 into gRPC (a traceback) and --fps 0 as the
    server's default; now every command checks its flags with the runtime's own checks."""
    baked = _one_line(_run("bake", str(wav), "-o", str(tmp_path / "out.json"), *flags).stderr)
    streamed = _one_line(_run("stream", str(wav), "--server", served.address, *flags).stderr)
    assert baked.startswith(f"facecast bake: {field} must be within")
    assert streamed == baked.replace("facecast bake:", "facecast stream:")


@pytest.mark.parametrize("server", ["127.0.0.1:{port}", "no-such-host.invalid:{port}"])
def test_stream_to_no_server_says_so_at_once(wav, server):
    address = server.format(port=free_port())
    started = time.monotonic()
    result = _run("stream", str(wav), "--server", address)
    elapsed_s = time.monotonic() - started
    line = _one_line(result.stderr)
    assert result.returncode == 1 and line.startswith(f"facecast stream: {address}: cannot connect")
    assert line.endswith("is `facecast serve` running there?")
    assert elapsed_s < 5.0  # a process start; it used to wait 10 s, then blame a 600 s timeout


@pytest.mark.parametrize(("variable", "what"), [("FACECAST_PORT", "serve"), ("FACECAST_METRICS_PORT", "serve metrics")])
def test_serve_on_a_taken_port_is_one_clear_error(tmp_path, variable, what):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "FACECAST_PORT": "0", variable: str(port), "FACECAST_AVATAR_DIR": str(tmp_path)}
        result = subprocess.run(facecast_command("serve"), capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1  # one line of ours: no gRPC E-line before it, no traceback
    assert _one_line(result.stderr).startswith(f"facecast serve: cannot {what} on 127.0.0.1:{port}: ")


def test_serve_on_a_device_this_machine_lacks_is_one_clear_error():
    result = _run("serve", "--device", f"cuda:{_cuda_devices()}")  # one past the last GPU: none here
    assert result.returncode == 1
    assert _one_line(result.stderr).startswith(f"facecast serve: device cuda:{_cuda_devices()}: ")


def _cuda_devices() -> int:
    import torch

    return torch.cuda.device_count()


def test_a_second_server_on_the_same_port_is_refused(served, tmp_path):
    port = served.address.rsplit(":", 1)[1]
    result = _run("serve", "--port", port, "--avatar-dir", str(tmp_path), timeout_s=60)
    assert result.returncode == 1 and "cannot serve" in result.stderr


def test_bake_takes_control_flags_and_idle(tmp_path, wav):
    output = tmp_path / "happy.json"
    result = _run("bake", str(wav), "-o", str(output), "--idle", "2", "--emotion", "happy:0.8",
                  "--gaze", "10,-5", "--head-distance", "1.2", "--motion", "1.5")
    assert result.returncode == 0, result.stderr
    frames = read_clip(output)["frames"]
    first = [frame for frame in frames if frame["t"] < 1.9]
    assert max(frame["blendshapes"][17] for frame in first) < 0.05  # idle: the mouth is closed
    assert np.mean([frame["blendshapes"][23] for frame in frames]) > 0.35  # mouthSmileLeft
    assert np.mean([frame["gaze"][0] for frame in frames]) == pytest.approx(10.0, abs=2.5)
    assert np.mean([frame["pose"]["z"] for frame in frames]) == pytest.approx(-1.0, abs=0.05)


def test_bake_idle_without_audio(tmp_path):
    output = tmp_path / "idle.msgpack"
    result = _run("bake", "-o", str(output), "--idle", "4")
    assert result.returncode == 0, result.stderr
    assert len(read_clip(output)["frames"]) == 100


def test_bake_listening_only_and_a_conversation_on_one_clock(tmp_path, wav):
    """--listen without AUDIO: the face only listens (mouth shut, a clip as long as the voice);
    with AUDIO: both tracks on one clock, and the face speaks its own."""
    listening, both = tmp_path / "listening.json", tmp_path / "both.json"
    result = _run("bake", "-o", str(listening), "--listen", str(wav))
    assert result.returncode == 0, result.stderr
    frames = read_clip(listening)["frames"]
    duration_s = load_audio(wav).duration_s
    assert len(frames) == int(np.ceil(duration_s * 25 - 1e-6))
    assert max(frame["blendshapes"][Blendshape.JAW_OPEN] for frame in frames) < 0.05
    result = _run("bake", str(wav), "-o", str(both), "--listen", str(wav), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert max(frame["blendshapes"][Blendshape.JAW_OPEN] for frame in read_clip(both)["frames"]) > 0.3


def test_stream_listen_is_a_conversation(served, wav):
    result = _run("stream", str(wav), "--server", served.address, "--listen", str(wav), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert "state_speaking" in [event["type"] for event in summary["events"]]
    assert summary["jaw_open_max"] > 0.3


def _astronaut(folder: Path, suffix: str = ".png") -> Path:
    """A portrait that analyses (scikit-image's astronaut), written into `folder` as `suffix` says."""
    from PIL import Image
    from skimage import data

    path = folder / f"astronaut{suffix}"
    Image.fromarray(data.astronaut()).save(path)
    return path


def test_avatar_add_list_rm(tmp_path):
    portrait = _astronaut(tmp_path, ".jpg")
    store = ["--avatar-dir", str(tmp_path / "avatars")]
    added = _run("avatar", *store, "add", str(portrait), "--name", "Eileen")
    assert added.returncode == 0, added.stderr
    avatar_id = added.stdout.strip().splitlines()[-1]
    assert len(avatar_id) == 32 and added.stderr == ""  # MediaPipe's native chatter stays out
    header, row = _run("avatar", *store, "list").stdout.splitlines()
    assert header.split() == ["ID", "SIZE", "CREATED", "NAME"]
    assert row.split()[0] == avatar_id and row.split()[1] == "512x512" and row.split()[-1] == "Eileen"
    again = _run("avatar", *store, "add", str(portrait), "--name", "Collins").stdout.strip().splitlines()
    assert again[-1] == avatar_id  # idempotent: the same image is the same avatar...
    assert again[0].startswith("warning:") and "'Eileen'" in again[0] and "'Collins'" in again[0]  # ...not renamed
    assert _run("avatar", *store, "rm", avatar_id).returncode == 0
    emptied = _run("avatar", *store, "list")
    assert emptied.stdout == "" and emptied.stderr.startswith("no avatars in")
    failed = _run("avatar", *store, "rm", avatar_id)
    assert failed.returncode == 1 and "no avatar" in failed.stderr and "Traceback" not in failed.stderr


def test_render_writes_h264_with_the_audio(tmp_path):
    import av

    portrait = _astronaut(tmp_path)
    speech = tmp_path / "hello.wav"
    write_wav(speech, synthesize("Hello there, nice to meet you."))
    output = tmp_path / "talking.mp4"
    result = _run("render", str(portrait), str(speech), "-o", str(output), "--fps", "30", "--emotion", "happy:0.5",
                  "--size", "320", "--framing", "face", "--idle-s", "0.5")
    assert result.returncode == 0, result.stderr
    with av.open(str(output)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
        assert (video.width, video.height) == (320, 320)
        decoded = sum(1 for _ in container.decode(video=0))
    with av.open(str(output)) as container:  # decoding the video read every packet: the audio from the start
        sound_s = sum(frame.samples for frame in container.decode(audio=0)) / container.streams.audio[0].rate
    seconds = 0.5 + float(synthesize("Hello there, nice to meet you.").duration_s)  # idle life, then the speech
    assert decoded == int(np.ceil(seconds * 30 - 1e-9))
    assert sound_s == pytest.approx(seconds, abs=0.05)  # the soundtrack waits out the idle life too
    assert not list(tmp_path.glob(".*.mp4"))  # the atomic write left nothing behind


@pytest.mark.parametrize("make_args", [
    lambda tmp, wav: ("render", str(tmp / "missing.png"), str(wav), "-o", str(tmp / "out.mp4")),
    lambda tmp, wav: ("render", str(wav), str(wav), "-o", str(tmp / "out.mp4")),
    lambda tmp, wav: ("render", str(wav), str(wav), "-o", str(tmp / "out.avi")),
    lambda tmp, wav: ("render", str(wav), str(wav), "-o", str(tmp / "out.mp4"), "--device", "tpu"),
    lambda tmp, wav: ("preview", str(tmp / "missing.png"), "-o", str(tmp / "out.png")),
    lambda tmp, wav: ("preview", str(wav), "-o", str(tmp / "out.png")),
    lambda tmp, wav: ("preview", str(wav), "-o", str(tmp / "out.jpg")),
    lambda tmp, wav: ("preview", str(wav), "-o", str(tmp / "out.png"), "--tile", "8"),
    lambda tmp, wav: ("render", str(_astronaut(tmp)), str(wav), "-o", str(tmp / "typo" / "out.mp4")),
    lambda tmp, wav: ("preview", str(wav), "-o", str(tmp / "typo" / "out.png")),
    lambda tmp, wav: ("bake", str(wav), "-o", str(tmp / "typo" / "out.json")),
    lambda tmp, wav: ("demo", "-o", str(tmp / "typo" / "out.mp4")),
], ids=["render-missing-image", "render-not-an-image", "render-not-mp4", "render-no-such-device",
        "preview-missing-image", "preview-not-an-image", "preview-not-png", "preview-tile-too-small",
        "render-no-such-directory", "preview-no-such-directory", "bake-no-such-directory",
        "demo-no-such-directory"])
def test_render_and_preview_errors_are_one_line(tmp_path, wav, make_args):
    """Said before any work: an output in a directory that does not exist (a typo) is not made for it
    (bake made it) nor found once the video is written (render failed then, with a traceback)."""
    args = make_args(tmp_path, wav)
    result = _run(*args)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"facecast {args[0]}:"), result.stderr
    assert not list(tmp_path.glob("out.*")) and not (tmp_path / "typo").exists()


def test_preview_draws_eight_labelled_poses(tmp_path):
    from PIL import Image

    from runtime.render.expression_sheet import LABEL_HEIGHT, POSES

    portrait = _astronaut(tmp_path)
    output = tmp_path / "sheet.png"
    result = _run("preview", str(portrait), "-o", str(output), "--tile", "128", "--framing", "face")
    assert result.returncode == 0, result.stderr
    sheet = np.asarray(Image.open(output).convert("RGB"))
    assert sheet.shape == (LABEL_HEIGHT + 128, 128 * len(POSES), 3)
    assert result.stdout.strip() == f"{output}: {len(POSES)} poses, {128 * len(POSES)}x{LABEL_HEIGHT + 128}; " \
        "glasses: none found"
    tiles = [sheet[LABEL_HEIGHT:, column * 128:(column + 1) * 128].astype(float) for column in range(len(POSES))]
    # Every pose changes the picture (the rest is the first tile); the label strip has writing in it.
    assert min(np.abs(tile - tiles[0]).mean() for tile in tiles[1:]) > 0.3
    assert sheet[:LABEL_HEIGHT].min() < 128
    assert not list(tmp_path.glob(".*.png"))  # the atomic write left nothing behind


def test_demo_needs_no_arguments_but_a_place_to_write(tmp_path):
    output = tmp_path / "demo.mp4"
    result = _run("demo", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 50_000 and "frames at 25 fps" in result.stdout


def test_output_piped_into_a_closed_reader_is_not_a_traceback(served, wav):
    stream = subprocess.Popen(facecast_command("stream", str(wav), "--server", served.address),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stream.stdout.close()  # like `| head -0`: the reader is gone before the summary is printed
    _, err = stream.communicate(timeout=60)
    assert "Traceback" not in err.decode() and stream.returncode == 141


def test_help_and_light_commands_load_nothing_heavy():
    """Each command imports only what it computes with: `facecast --help` once took 2 s, and a bridge
    (livelink, vmc) loaded torch and MediaPipe before it looked at its flags (3-4 s to say a port was bad),
    `bake` and `render` the pipeline's SciPy (2.4 s to say a path was bad; 0.4-0.9 s now)."""
    probe = ("import sys; from service.cli.main import build_parser; build_parser(sys.argv[1:]); "
             "print(sorted(m for m in ('numpy', 'torch', 'mediapipe', 'scipy', 'grpc') if m in sys.modules))")
    loaded = {command: subprocess.run([sys.executable, "-c", probe, command, "--help"], capture_output=True, text=True,
                                      timeout=60, check=True).stdout.split("\n")[0]
              for command in ("--help", "serve", "avatar", "stream", "livelink", "vmc", "bake", "render", "preview")}
    assert loaded == {"--help": "[]", "serve": "[]", "avatar": "[]", "stream": "['grpc', 'numpy']",
                      "livelink": "['grpc', 'numpy']", "vmc": "['grpc', 'numpy']", "bake": "['numpy']",
                      "render": "['numpy']", "preview": "['numpy']"}


@pytest.mark.parametrize("command", [
    "render missing.png missing.wav -o out.mp4", "preview missing.png -o sheet.png", "avatar add missing.png",
    "bake missing.wav -o clip.json", "livelink missing.wav --to 127.0.0.1:11111",
    "livelink missing.wav --to 127.0.0.1:11111 --server 127.0.0.1:1", "livelink - --to 127.0.0.1:11111",
    "vmc missing.wav --to 127.0.0.1:39539", "vmc - --to 127.0.0.1:39539 --server 127.0.0.1:1",
])
def test_a_missing_input_is_reported_before_anything_heavy_loads(tmp_path, command):
    """A missing portrait or audio file, or a stdin closed before any audio, is one line at once: not after
    the pipeline, torch or MediaPipe load (the bridges took 2-3.5 s to say a file was missing, `render`,
    `preview` and `avatar add` 1.4 s)."""
    probe = ("import sys; from service.cli.main import main; code = main(sys.argv[1:]); "
             "print(code, sorted(m for m in ('torch', 'mediapipe', 'scipy', 'runtime.pipeline') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe, *command.split()], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path, input="")
    missing = "stdin: closed before any audio arrived" if " - " in command else "missing.wav: no such file"
    missing = "missing.png: no such file" if "missing.png" in command else missing
    assert result.stdout.strip() == "1 []", result.stdout + result.stderr
    assert result.stderr.strip() == f"facecast {command.split()[0]}: {missing}"


def test_serve_help_states_every_setting_and_its_default():
    from dataclasses import fields

    from service.settings import ServerSettings

    text = " ".join(_run("serve", "--help").stdout.split())
    for setting in fields(ServerSettings):
        flag = f"--{setting.name.replace('_', '-')}"
        assert (f"{flag} " in text) is setting.metadata["flag"], flag
    assert "--max-sessions N concurrent Animate streams" in text and "(default 64)" in text
    assert "--max-message-bytes BYTES largest request or response message (default 4 MiB)" in text


def test_the_readme_and_the_demo_name_the_same_install():
    from service.cli.demo import INSTALL_HINT

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert INSTALL_HINT.split(" (")[0] in readme
