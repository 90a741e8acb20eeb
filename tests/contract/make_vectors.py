"""Writes the contract vectors that engine clients test against, from the real server.

    python -m tests.contract.make_vectors        (from the repository root)

`conversation_barge_in.json`: a conversation session (listen_audio on the same clock, an interrupt
at 1.0 s) with its frames, events and the turns a client must follow from them.
`stream_seed*.json`: all frames of a short real session (eSpeak speech, 25 fps, 20 ms chunks) as the
wire delivers them, plus probes: audio times with the blendshapes, visemes, gaze and head pose a rig
must show there (linear interpolation, ends held) and the head's Unity Euler angles and position in
both Unity frames; large-angle pose cases; the header's names in four rig spellings with the stream
index each shape must take. `clip_hello.json`: a motion clip made by `facecast bake`.

The pipeline is deterministic, so tests/test_contract_vectors.py regenerates all of it and checks
that the server still produces these exact files. Run this again when a model version changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import grpc
import numpy as np

from runtime.atomic_file import write_atomically
from runtime.audio.pcm import encode_pcm16
from runtime.train.espeak import synthesize, write_wav
from service.api import animate_pb2
from service.process import facecast_command
from tests.contract import expectations
from tests.contract.json_layout import dumps
from tests.server_harness import ServerThread, audio, config, end, run_session, session, stub_for
from tests.speech import speech_clip

HERE = Path(__file__).resolve().parent
FORMAT = "facecast.contract-vector"
VERSION = 1
FPS = 25
CHUNK_S = 0.02
DECIMALS = 7            # float32 carries ~7 digits; rounding keeps files small and diffs readable
FACE_WIDTH_M = 0.15     # the scale the Unity positions assume (HeadPoseConverter.DefaultFaceWidthMetres)
CLIP_TEXT = "Hello there."
CLIP_NAME = "clip_hello.json"
CONVERSATION_NAME = "conversation_barge_in.json"
CONVERSATION = {"own": "Hello there, friend. How are you today?", "other": "Fine, thanks. And you?",
                "other_from_s": 1.4, "interrupt_s": 1.0, "seed": 3}
TURN_STATES = {"EVENT_TYPE_STATE_SPEAKING": "speaking", "EVENT_TYPE_STATE_LISTENING": "listening",
               "EVENT_TYPE_STATE_IDLE": "idle"}


@dataclass(frozen=True)
class VectorSpec:
    name: str
    text: str
    seed: int


SPECS = (
    VectorSpec("stream_seed1", "Hello there, friend.", seed=1),
    VectorSpec("stream_seed2", "Good morning, traveller.", seed=2),
)
# Contract poses far from zero, where composing in the wrong order or a wrong sign shows clearly.
POSE_CASES = ((20.0, 0.0, 0.0), (0.0, 30.0, 0.0), (0.0, 0.0, 25.0), (20.0, -35.0, 15.0),
              (-25.0, 40.0, -30.0), (12.5, 8.0, -45.0), (-5.0, -60.0, 10.0))


def _round(value: float) -> float:
    return round(float(value), DECIMALS)


def _rounded(values) -> list[float]:
    return [_round(value) for value in values]


def frame_record(frame) -> dict:
    """A MotionFrame as received, in the motion clip's record layout plus its index."""
    pose = frame.head_pose
    return {
        "index": frame.index,
        "t": frame.time_s,
        "pose": dict(zip(expectations.POSE_KEYS, _rounded(
            (pose.pitch_deg, pose.yaw_deg, pose.roll_deg, pose.x, pose.y, pose.z)), strict=True)),
        "blendshapes": _rounded(frame.blendshapes),
        "visemes": _rounded(frame.visemes),
        "gaze": _rounded((frame.gaze.left.yaw_deg, frame.gaze.left.pitch_deg,
                          frame.gaze.right.yaw_deg, frame.gaze.right.pitch_deg)),
        "voice_activity": _round(frame.voice_activity),
    }


def probe_times(last_t: float) -> list[float]:
    """Before the stream, on frames, between frames, just before the end, on it and after it."""
    return [-0.1, 0.0, 0.04, 0.1234, 0.3, 0.5071, 0.77, last_t - 0.013, last_t, last_t + 0.5]


def probe(frames: list[dict], time_s: float) -> dict:
    times = np.array([frame["t"] for frame in frames])

    def channel(key: str) -> np.ndarray:
        return expectations.interpolate(times, np.array([frame[key] for frame in frames]), time_s)

    poses = np.array([[frame["pose"][key] for key in expectations.POSE_KEYS] for frame in frames])
    pitch, yaw, roll, x, y, z = expectations.interpolate(times, poses, time_s)
    record = {
        "audio_time_s": time_s,
        "blendshapes": _rounded(channel("blendshapes")),
        "visemes": _rounded(channel("visemes")),
        "gaze": _rounded(channel("gaze")),
        "voice_activity": _round(np.interp(time_s, times, [frame["voice_activity"] for frame in frames])),
        "pose": dict(zip(expectations.POSE_KEYS, _rounded((pitch, yaw, roll, x, y, z)), strict=True)),
    }
    for space in expectations.MIRRORS:
        record[f"unity_{space}"] = {
            "euler": _rounded(expectations.unity_euler(pitch, yaw, roll, space)),
            "position": _rounded(expectations.unity_position(x, y, z, space, FACE_WIDTH_M)),
        }
    return record


def pose_case(pitch: float, yaw: float, roll: float) -> dict:
    case = {"pose": {"pitch": pitch, "yaw": yaw, "roll": roll}}
    for space in expectations.MIRRORS:
        case[f"unity_{space}_euler"] = _rounded(expectations.unity_euler(pitch, yaw, roll, space))
    return case


def record_stream(stub, spec: VectorSpec):
    clip = speech_clip(spec.text)
    chunk_bytes = 2 * round(CHUNK_S * clip.sample_rate)
    responses = run_session(stub, session(clip.pcm16(), clip.sample_rate, chunk_bytes, seed=spec.seed, fps=FPS))
    started = next(response.started for response in responses if response.WhichOneof("response") == "started")
    frames = [response.motion for response in responses if response.WhichOneof("response") == "motion"]
    return clip, started, frames


def stream_vector(stub, spec: VectorSpec) -> dict:
    clip, started, motion = record_stream(stub, spec)
    frames = [frame_record(frame) for frame in motion]
    names = list(started.blendshape_names)
    return {
        "format": FORMAT,
        "version": VERSION,
        "regenerate": "python -m tests.contract.make_vectors",
        "session": {"text": spec.text, "voice": "en-us", "sample_rate_hz": clip.sample_rate,
                    "chunk_s": CHUNK_S, "seed": spec.seed},
        "model_versions": [{"component": v.component, "name": v.name, "version": v.version}
                           for v in started.model_versions],
        "fps": started.fps,
        "blendshape_names": names,
        "viseme_names": list(started.viseme_names),
        "face_width_m": FACE_WIDTH_M,
        "frames": frames,
        "probes": [probe(frames, time_s) for time_s in probe_times(frames[-1]["t"])],
        "pose_cases": [pose_case(*pose) for pose in POSE_CASES],
        "name_mapping": expectations.name_mapping(names, spec.seed),
    }


def conversation_requests(own: np.ndarray, other: np.ndarray, rate: int) -> list:
    """A conversation session: both streams in 20 ms chunks (the other's first), and an interrupt
    once the own stream has reached CONVERSATION["interrupt_s"]."""
    step = round(CHUNK_S * rate)
    requests = [config(rate, seed=CONVERSATION["seed"], fps=FPS, conversation=True)]
    interrupted = False
    for start in range(0, max(len(own), len(other)), step):
        requests.append(animate_pb2.AnimateRequest(listen_audio=animate_pb2.AudioChunk(
            data=encode_pcm16(other[start:start + step]))))
        requests.append(audio(encode_pcm16(own[start:start + step])))
        if not interrupted and start + step >= CONVERSATION["interrupt_s"] * rate:
            requests.append(animate_pb2.AnimateRequest(interrupt=animate_pb2.Interrupt(
                at_s=CONVERSATION["interrupt_s"])))
            interrupted = True
    return [*requests, end()]


def conversation_vector(stub) -> dict:
    """A conversation with a barge-in: the face speaks, is interrupted at 1.0 s, then listens to the
    other party; the frames, the events, and the turns a client must follow from those events."""
    own, other = speech_clip(CONVERSATION["own"]), speech_clip(CONVERSATION["other"])
    rate = own.sample_rate
    lead = np.zeros(round(CONVERSATION["other_from_s"] * rate), np.float32)
    heard = np.concatenate([lead, other.samples])
    spoken = own.samples.copy()
    spoken[round(CONVERSATION["interrupt_s"] * rate):] = 0.0  # cut off: the client stops its line and sends silence
    responses = run_session(stub, conversation_requests(spoken, heard, rate))
    started = next(response.started for response in responses if response.WhichOneof("response") == "started")
    events = [{"type": animate_pb2.EventType.Name(r.event.type), "time_s": _round(r.event.time_s)}
              for r in responses if r.WhichOneof("response") == "event"]
    turns = [{"state": TURN_STATES[event["type"]], "since_s": event["time_s"]}
             for event in events if event["type"] in TURN_STATES]
    return {
        "format": FORMAT,
        "version": VERSION,
        "regenerate": "python -m tests.contract.make_vectors",
        "session": {"own_text": CONVERSATION["own"], "other_text": CONVERSATION["other"], "voice": "en-us",
                    "sample_rate_hz": rate, "chunk_s": CHUNK_S, "seed": CONVERSATION["seed"],
                    "other_from_s": CONVERSATION["other_from_s"], "interrupt_at_s": CONVERSATION["interrupt_s"]},
        "fps": started.fps,
        "blendshape_names": list(started.blendshape_names),
        "viseme_names": list(started.viseme_names),
        "frames": [frame_record(r.motion) for r in responses if r.WhichOneof("response") == "motion"],
        "events": events,
        "expected_turns": turns,
        "expected_interrupt_s": CONVERSATION["interrupt_s"],
        "mouth_shut_from_s": CONVERSATION["interrupt_s"] + 0.1,  # jawOpen < 0.05 in every frame from here
    }


def stream_vectors() -> dict[str, dict]:
    """Every stream vector, from a real server run in this process."""
    server = ServerThread()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = stub_for(channel)
            vectors = {f"{spec.name}.json": stream_vector(stub, spec) for spec in SPECS}
            vectors[CONVERSATION_NAME] = conversation_vector(stub)
            return vectors
    finally:
        server.stop()


def baked_clip() -> dict:
    """The JSON motion clip `facecast bake` writes for a short sentence, read back."""
    with tempfile.TemporaryDirectory() as folder:
        wav, clip = Path(folder) / "speech.wav", Path(folder) / "clip.json"
        write_wav(wav, synthesize(CLIP_TEXT))
        subprocess.run(facecast_command("bake", str(wav), "-o", str(clip)), check=True,
                       capture_output=True, text=True, timeout=120)
        return json.loads(clip.read_text())


def all_documents() -> dict[str, dict]:
    return {**stream_vectors(), CLIP_NAME: baked_clip()}


def main() -> int:
    for name, document in all_documents().items():
        path = HERE / name
        # The clip is bake's own bytes re-serialised the same way bake does it; the rest in our layout.
        text = json.dumps(document, separators=(",", ":")) if name == CLIP_NAME else dumps(document)
        write_atomically(path, text.encode())
        print(f"{path}: {path.stat().st_size // 1024} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
