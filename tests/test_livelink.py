"""`facecast livelink` against a peer: its UDP datagrams received on loopback from a real process,
decoded by tests/livelink_decoder.py (written from Epic's format, not from our encoder), every
value compared with `facecast bake` for the same audio and seed. With `--server` the bridge is a
gRPC client of a real server on a loopback port (tests/server_harness.py): the same runtime there,
so the same packets as in-process, byte for byte."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from runtime.motion_clip import read_clip
from service.client_security import API_KEY_VARIABLE
from service.process import facecast_command
from tests import livelink_decoder
from tests.certificates import make_certificates
from tests.server_harness import free_port, start_server
from tests.speech import speech_clip

pytestmark = pytest.mark.slow

SEED = "7"
FPS = "30"
RATE = 16_000


def _run(*args: str, stdin: bytes | None = None, timeout_s: float = 180,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(facecast_command(*args), input=stdin, capture_output=True, timeout=timeout_s, env=env)


class _Receiver:
    """A UDP socket on loopback that keeps every datagram with its arrival time, from a thread (a
    full socket buffer would drop packets while the sender is faster than the test)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.datagrams: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.socket.recv(65536)
            except TimeoutError:
                continue
            self.datagrams.append((time.monotonic(), data))

    def stop(self) -> list[tuple[float, bytes]]:
        time.sleep(0.3)  # the last datagrams are in flight on loopback only briefly
        self._stop.set()
        self._thread.join()
        self.socket.close()
        return self.datagrams


@pytest.fixture(scope="module")
def pcm16() -> bytes:
    """Real speech at 16 kHz as PCM16: what `-` takes on stdin, and the samples of the WAV file."""
    clip = speech_clip("Peter picked a bowl of mushrooms before the market opened.")
    positions = np.arange(0, len(clip.samples) * RATE / clip.sample_rate) * clip.sample_rate / RATE
    samples = np.interp(positions, np.arange(len(clip.samples)), clip.samples)
    return (np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")).tobytes()


@pytest.fixture(scope="module")
def wav(tmp_path_factory, pcm16) -> Path:
    path = tmp_path_factory.mktemp("audio") / "speech.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm16)
    return path


@pytest.fixture(scope="module")
def baked(tmp_path_factory, wav) -> dict:
    output = tmp_path_factory.mktemp("baked") / "clip.msgpack"  # msgpack keeps float32 exactly
    result = _run("bake", str(wav), "-o", str(output), "--fps", FPS, "--seed", SEED, "--emotion", "happy:0.5")
    assert result.returncode == 0, result.stderr.decode()
    return read_clip(output)


def _expected_curves(record: dict) -> dict[str, float]:
    """The documented retargeting (runtime/rigs/livelink.py's table), from a baked frame."""
    pose, gaze = record["pose"], record["gaze"]
    angles = {
        "HeadYaw": -pose["yaw"] / 180, "HeadPitch": -pose["pitch"] / 180, "HeadRoll": pose["roll"] / 180,
        "LeftEyeYaw": -gaze[0] / 180, "LeftEyePitch": -gaze[1] / 180, "LeftEyeRoll": 0.0,
        "RightEyeYaw": -gaze[2] / 180, "RightEyePitch": -gaze[3] / 180, "RightEyeRoll": 0.0,
    }
    return dict(zip(livelink_decoder.CURVES[:52], record["blendshapes"], strict=True)) | angles


def _livelink(audio: str, *flags: str, stdin: bytes | None = None, env: dict[str, str] | None = None):
    receiver = _Receiver()
    try:
        result = _run("livelink", audio, "--to", f"127.0.0.1:{receiver.port}", "--fps", FPS, "--seed", SEED,
                      "--emotion", "happy:0.5", *flags, stdin=stdin, env=env)
    finally:
        datagrams = receiver.stop()
    return result, datagrams


def _assert_matches_bake(datagrams, baked: dict, subject: str) -> None:
    packets = [livelink_decoder.decode(data) for _, data in datagrams]
    frames = baked["frames"]
    assert len(packets) == len(frames) > 30
    for index, (packet, record) in enumerate(zip(packets, frames, strict=True)):
        assert (packet.version, packet.subject_name, packet.frame, packet.subframe, packet.rate) == \
            (6, subject, index, 0.0, (int(FPS), 1))
        assert packet.device_id
        expected = _expected_curves(record)
        for name in livelink_decoder.CURVES[:52]:
            assert packet.curves[name] == expected[name], (index, name)  # float32 both ends: exact
        for name in livelink_decoder.CURVES[52:]:
            assert packet.curves[name] == pytest.approx(expected[name], rel=1e-6, abs=1e-9), (index, name)
    jaw = [packet.curves["JawOpen"] for packet in packets]
    assert max(jaw) > 0.2, "speech should open the jaw"  # the comparison is not of two empty streams
    assert np.ptp([packet.curves["HeadYaw"] for packet in packets]) > 0


def test_livelink_file_packets_decode_to_the_baked_clip(wav, baked):
    result, datagrams = _livelink(str(wav), "--subject", "MetaFace")
    assert result.returncode == 0, result.stderr.decode()
    assert f"{len(baked['frames'])} Live Link Face packets" in result.stdout.decode()
    _assert_matches_bake(datagrams, baked, "MetaFace")


def test_livelink_stdin_pcm_gives_the_same_packets_as_the_file(pcm16, baked):
    result, datagrams = _livelink("-", "--no-realtime", stdin=pcm16)
    assert result.returncode == 0, result.stderr.decode()
    _assert_matches_bake(datagrams, baked, "Facecast")


@pytest.fixture(scope="module")
def in_process(wav) -> list[bytes]:
    """The in-process bridge's packets for the file: what `--server` must reproduce."""
    result, datagrams = _livelink(str(wav))
    assert result.returncode == 0, result.stderr.decode()
    return [data for _, data in datagrams]


def test_livelink_server_file_packets_equal_the_in_process_ones(server, wav, baked, in_process):
    result, datagrams = _livelink(str(wav), "--server", server.address)
    assert result.returncode == 0, result.stderr.decode()
    assert f"{len(baked['frames'])} Live Link Face packets" in result.stdout.decode()
    assert [data for _, data in datagrams] == in_process  # the same runtime on the server: the same bytes
    _assert_matches_bake(datagrams, baked, "Facecast")  # and so the decoded values, each of them


def test_livelink_server_stdin_pcm_gives_the_same_packets(server, pcm16, in_process):
    """A live source through the server: its PCM16 goes as it is read, the frames come back as made."""
    result, datagrams = _livelink("-", "--server", server.address, "--no-realtime", stdin=pcm16)
    assert result.returncode == 0, result.stderr.decode()
    assert [data for _, data in datagrams] == in_process


def test_livelink_server_idle_life_is_the_in_process_one(server, wav):
    """--idle-s reaches the server as leading silence: what the runtime makes of it in-process."""
    local, local_datagrams = _livelink(str(wav), "--idle-s", "0.5")
    served, served_datagrams = _livelink(str(wav), "--idle-s", "0.5", "--server", server.address)
    assert local.returncode == served.returncode == 0, local.stderr.decode() + served.stderr.decode()
    assert [data for _, data in served_datagrams] == [data for _, data in local_datagrams]


def test_livelink_server_with_tls_and_an_api_key_as_stream_takes_them(tmp_path, wav, in_process):
    """The flags and the key of `facecast stream`: --tls-ca-file for the server's CA, the API key from
    FACECAST_API_KEY; without the key, the server's refusal in one line."""
    key = "bridge-key-0123456789abcdef"
    certificates = make_certificates(tmp_path)
    secured = start_server(tls_cert_file=str(certificates.server_cert), tls_key_file=str(certificates.server_key),
                           api_keys=key)
    keyless = {name: value for name, value in os.environ.items() if name != API_KEY_VARIABLE}
    flags = ("--server", secured.address, "--tls-ca-file", str(certificates.ca_cert))
    try:
        accepted, datagrams = _livelink(str(wav), *flags, env={**keyless, API_KEY_VARIABLE: key})
        refused, nothing = _livelink(str(wav), *flags, env=keyless)
    finally:
        secured.stop()
    assert accepted.returncode == 0, accepted.stderr.decode()
    assert [data for _, data in datagrams] == in_process
    lines = refused.stderr.decode().strip().splitlines()
    assert refused.returncode == 1 and len(lines) == 1 and not nothing, refused.stderr.decode()
    assert lines[0].startswith(f"facecast livelink: {secured.address}: UNAUTHENTICATED")


@pytest.mark.parametrize("served", [False, True], ids=["in-process", "server"])
def test_livelink_realtime_paces_packets_on_the_audio_clock(server, wav, baked, served):
    result, datagrams = _livelink(str(wav), "--realtime", *(("--server", server.address) if served else ()))
    assert result.returncode == 0, result.stderr.decode()
    arrivals = np.array([arrived for arrived, _ in datagrams])
    times = np.array([livelink_decoder.decode(data).frame / int(FPS) for _, data in datagrams])
    assert len(times) == len(baked["frames"])
    # The sender's clock is read from the lower envelope (10th percentile) of the first quarter's offsets,
    # not from the first packet: the receiver stamps each packet only when its thread gets the GIL, which it
    # shares with the in-process server, and a core, so any stamp may be late (never early), and a late first
    # stamp made every packet after it look that much early (CI saw -2.3 ms; a run beside other work on the
    # two cores -9.4 ms, every packet alike). An unpaced sender shows the whole clip early (seconds), a fast
    # clock a growing lead: a 5 ms allowance tells either from that jitter. (The first and last packets'
    # stamps compared with the clip's length read a late first stamp too: a clean-clone CI run alone on its
    # two cores fell 0.1 ms short of that check's 5 ms allowance; the same reading of the clock covers it.)
    offsets = arrivals - times
    lateness_ms = (offsets - np.percentile(np.array_split(offsets, 4)[0], 10)) * 1000
    assert lateness_ms.min() > -5.0, f"a packet went out before its audio time: {lateness_ms.min():.1f} ms"
    # Lag: single packets are stamped late whenever the receiver's thread waits for the GIL or, on a
    # busy machine, for a core (a run sharing its two cores with other work saw a 95th percentile of 6-10
    # ms), but a sender whose clock runs slow is late on every packet, and more so as the clip goes on:
    # the lower envelope (10th percentile) of each quarter of the clip tells one from the other.
    envelope = [np.percentile(quarter, 10) for quarter in np.array_split(lateness_ms, 4)]
    assert max(envelope) < 5.0, f"packets lag the audio clock: {np.round(envelope, 1)} ms by quarter"


@pytest.mark.parametrize(("args", "message"), [
    (("missing.wav", "--to", "127.0.0.1:11111"), "facecast livelink: missing.wav: no such file"),
    (("{wav}", "--to", "localhost"), "facecast livelink: --to must be HOST:PORT, got 'localhost'"),
    (("{wav}", "--to", "127.0.0.1:70000"), "facecast livelink: --to port must be within [1, 65535], got 70000"),
    (("{wav}", "--to", "no-such-host.invalid:11111"),
     "facecast livelink: --to no-such-host.invalid:11111: cannot resolve 'no-such-host.invalid'"),
    (("-", "--to", "127.0.0.1:11111"), "facecast livelink: stdin: closed before any audio arrived"),
])
def test_livelink_bad_input_is_one_line(wav, args, message):
    result = _run("livelink", *(arg.format(wav=wav) for arg in args), stdin=b"")
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr.decode()
    assert lines[0].startswith(message)


@pytest.mark.parametrize(("args", "message"), [
    (("{wav}", "--server", "127.0.0.1:{port}"),
     "facecast livelink: 127.0.0.1:{port}: cannot connect (connection refused or unknown host); "
     "is `facecast serve` running there?"),
    (("{wav}", "--server", "no-such-host.invalid:{port}"),
     "facecast livelink: no-such-host.invalid:{port}: cannot connect"),
    (("{wav}", "--server", "localhost"), "facecast livelink: --server must be HOST:PORT, got 'localhost'"),
    (("{wav}", "--server", "127.0.0.1:0"), "facecast livelink: --server port must be within [1, 65535], got 0"),
    (("-", "--server", "127.0.0.1:{port}"), "facecast livelink: stdin: closed before any audio arrived"),
    (("missing.wav", "--server", "127.0.0.1:{port}"), "facecast livelink: missing.wav: no such file"),
    (("{wav}", "--tls-ca-file", "ca.pem"), "facecast livelink: the --tls-* flags are for --server"),
])
def test_livelink_server_bad_input_is_one_line_at_once(wav, args, message):
    port = free_port()  # nothing listens there
    started = time.monotonic()
    result = _run("livelink", *(arg.format(wav=wav, port=port) for arg in args), "--to", "127.0.0.1:11111",
                  stdin=b"")
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr.decode()
    assert lines[0].startswith(message.format(port=port))
    assert time.monotonic() - started < 8.0  # a process start, not the connection timeout
