"""The listening face measured (issue 14): 60 s of real recorded speech as the other party.

    python -m benchmarks.listening [--seeds 5] [--set report|tune|both] [--no-readme]

A conversation session of the runtime's own Animator: the other party's voice as listen_audio
(through the listen front end, the listener and the turn machine), the face's own stream silence
(through the mouth model and the dynamics), 40 ms chunks of each on one clock — what a server
session computes. Figures (the issue's proof), on its frames:

- jawOpen, max over every frame (target < 0.05);
- nods: downward head-pitch velocity peaks (≥ NOD_SPEED_DEG_S); their rate within 0.8 s after the
  other's phrase ends over their rate elsewhere (target ≥ 2). Phrase ends here are found offline
  from the recording (ends of speech followed by ≥ 0.25 s of quiet), not by the streaming detector
  the listener uses;
- gaze within 5° of the set direction, share of frames (target ≥ 70 %);
- blinks per minute (eyeBlink crossing 0.5, frames at 50 fps; target 10–25).

Audio: Debian's pocketsphinx-testdata, 16 kHz recordings. Tuned on the `tune` set (its command,
digit and card clips: several speakers), reported on the `report` set (the five LibriVox clips of
Sense and Sensibility: one reader, connected speech), which was not looked at while tuning. Each
set is shorter than 60 s, so its clips repeat, in order, with pauses of 0.5–1.6 s between them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks

from benchmarks.report import publish
from runtime.arkit import Blendshape
from runtime.audio.constants import HOP_S, SAMPLE_RATE
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.motion.track import BLENDSHAPES, GAZE, HEAD
from runtime.pipeline import Animator, AnimatorOptions
from runtime.types import Controls, MotionFrame, PoseColumn
from runtime.version import package_version

TESTDATA = Path("/usr/share/pocketsphinx/test/data")  # Debian: pocketsphinx-testdata (BSD-style licence)
REPORT_CLIPS = tuple(f"librivox/sense_and_sensibility_01_austen_64kb-{n:04d}.wav" for n in (870, 880, 890, 920, 930))
TUNE_CLIPS = ("cards/001.wav", "cards/002.wav", "cards/003.wav", "cards/004.wav", "cards/005.wav", "goforward.raw",
              "numbers.raw", "something.raw", "tidigits/dhd.2934z.raw")
PAUSES_S = (0.9, 1.4, 0.6, 1.1, 1.6, 0.5, 1.2, 0.8)  # between clips, in turn
DURATION_S = 60.0
FPS = 25
ROWS_PER_S = 50  # the Animator's frames the figures read (blinks at this rate, the rest at FPS)
CHUNK_S = 0.04  # the listen stream arrives in 40 ms pieces, like a microphone's
NOD_SPEED_DEG_S = 8.0  # a downward pitch velocity peak at least this fast is a nod
NOD_MIN_GAP_S = 0.25
NOD_WINDOW_S = 0.8  # "within 0.8 s after a phrase end"
PHRASE_QUIET_S = 0.25  # offline reference: speech followed by this much quiet ends a phrase
GAZE_WITHIN_DEG = 5.0
DEFAULT_CONTROLS = Controls()
RESULTS = Path(__file__).resolve().parent / "results" / "listening.json"
BEGIN, END = "<!-- listening:begin -->", "<!-- listening:end -->"
TARGETS = {"jaw_open_max": "< 0.05", "nod_rate_ratio": "≥ 2", "gaze_within_5deg": "≥ 70 %", "blinks_per_min": "10–25"}


def _read(name: str) -> np.ndarray:
    path = TESTDATA / name
    if not path.exists():
        raise SystemExit(f"{path} missing: apt-get install pocketsphinx-testdata")
    if path.suffix == ".raw":
        raw = np.fromfile(path, "<i2")
    else:
        with wave.open(str(path), "rb") as audio:
            assert audio.getframerate() == SAMPLE_RATE and audio.getnchannels() == 1
            raw = np.frombuffer(audio.readframes(audio.getnframes()), "<i2")
    return raw.astype(np.float32) / 32768.0


def other_party(clips: tuple[str, ...], seconds: float = DURATION_S) -> np.ndarray:
    """`seconds` of the clips in turn with pauses between them, 16 kHz, starting with a pause."""
    pieces, total, k = [], 0, 0
    while total < seconds * SAMPLE_RATE:
        pause = np.zeros(round(PAUSES_S[k % len(PAUSES_S)] * SAMPLE_RATE), np.float32)
        clip = _read(clips[k % len(clips)])
        pieces += [pause, clip]
        total += len(pause) + len(clip)
        k += 1
    return np.concatenate(pieces)[:round(seconds * SAMPLE_RATE)]


def listening_rows(samples: np.ndarray, seed: int, controls: Controls = DEFAULT_CONTROLS) -> np.ndarray:
    """(frames, ROW_WIDTH) motion rows at ROWS_PER_S of a face that listens to `samples` (16 kHz)
    in silence."""
    return conversation_rows(np.zeros_like(samples), samples, seed, controls)


def conversation_rows(own: np.ndarray, other: np.ndarray, seed: int, controls: Controls = DEFAULT_CONTROLS,
                      interrupt_at_s: float | None = None) -> np.ndarray:
    """(frames, ROW_WIDTH) rows at ROWS_PER_S of a conversation session, through the runtime's own
    Animator: `own` (the face's voice) and `other` (listen_audio), both 16 kHz on one clock, pushed
    in CHUNK_S pieces. With `interrupt_at_s`, an interrupt there, after which the client sends
    silence on its own stream (its line was cut off)."""
    animator = Animator(AnimatorOptions(fps=ROWS_PER_S, seed=seed, controls=controls, conversation=True,
                                        audio_format=AudioFormat(AudioEncoding.FLOAT32LE, SAMPLE_RATE)))
    if interrupt_at_s is not None:
        own = own.copy()
        own[round(interrupt_at_s * SAMPLE_RATE):] = 0.0
    step = round(CHUNK_S * SAMPLE_RATE)
    outputs = []
    for start in range(0, max(len(own), len(other)), step):
        if interrupt_at_s is not None and start <= interrupt_at_s * SAMPLE_RATE < start + step:
            animator.interrupt(interrupt_at_s)
        animator.queue_listen(other[start:start + step])
        outputs += animator.push_samples(own[start:start + step])
    outputs += animator.end_audio()
    return np.array([frame_row(output) for output in outputs if isinstance(output, MotionFrame)])


def frame_row(frame: MotionFrame) -> np.ndarray:
    """A frame as a motion row (runtime.motion.track's layout), for array measurements."""
    gaze = (frame.gaze.left.yaw_deg, frame.gaze.left.pitch_deg, frame.gaze.right.yaw_deg, frame.gaze.right.pitch_deg)
    return np.concatenate([frame.head_pose.as_array(), frame.blendshapes, frame.visemes, gaze,
                           [frame.voice_activity]]).astype(np.float32)


def phrase_ends_s(samples: np.ndarray) -> np.ndarray:
    """Offline reference: times where speech (10 ms RMS within 30 dB of the loud level) is
    followed by at least PHRASE_QUIET_S of quiet."""
    hop = round(HOP_S * SAMPLE_RATE)
    frames = samples[:len(samples) // hop * hop].reshape(-1, hop)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    speech = level > np.percentile(level, 95) - 30.0
    quiet_hops = round(PHRASE_QUIET_S / HOP_S)
    ends = [h + 1 for h in range(len(speech) - quiet_hops)
            if speech[h] and not speech[h + 1:h + 1 + quiet_hops].any()]
    return np.array(ends) * HOP_S


@dataclass(frozen=True)
class Figures:
    jaw_open_max: float
    nods: int
    nods_after_phrase_ends: int
    nods_per_min_after_phrase_ends: float
    nods_per_min_elsewhere: float
    nod_rate_ratio: float  # a lower bound when no nod fell elsewhere (counted as one)
    gaze_within_5deg: float
    blinks_per_min: float


def measure(rows: np.ndarray, ends_s: np.ndarray, controls: Controls = DEFAULT_CONTROLS) -> Figures:
    frames = rows[::ROWS_PER_S // FPS]  # rows at 25 fps
    pitch = frames[:, HEAD][:, PoseColumn.PITCH]
    velocity = np.diff(pitch) * FPS  # deg/s, > 0 nodding down
    peaks, _ = find_peaks(velocity, height=NOD_SPEED_DEG_S, distance=round(NOD_MIN_GAP_S * FPS))
    duration_s = len(frames) / FPS
    inside = np.zeros(len(frames), bool)
    for end in ends_s:
        inside[int(end * FPS):int((end + NOD_WINDOW_S) * FPS)] = True
    after_end = inside[peaks]
    inside_s = inside.mean() * duration_s
    rate_in = after_end.sum() / inside_s * 60.0
    rate_out = (~after_end).sum() / (duration_s - inside_s) * 60.0
    ratio = rate_in / (max((~after_end).sum(), 1) / (duration_s - inside_s) * 60.0)
    gaze = frames[:, GAZE][:, :2] - np.array([controls.gaze_yaw_deg, controls.gaze_pitch_deg])
    lids = rows[:, BLENDSHAPES][:, Blendshape.EYE_BLINK_LEFT]
    blinks = int(np.sum((lids[1:] >= 0.5) & (lids[:-1] < 0.5)))
    return Figures(
        jaw_open_max=round(float(frames[:, BLENDSHAPES][:, Blendshape.JAW_OPEN].max()), 4),
        nods=len(peaks), nods_after_phrase_ends=int(after_end.sum()),
        nods_per_min_after_phrase_ends=round(float(rate_in), 1), nods_per_min_elsewhere=round(float(rate_out), 1),
        nod_rate_ratio=round(float(ratio), 2),
        gaze_within_5deg=round(float(np.mean(np.hypot(gaze[:, 0], gaze[:, 1]) <= GAZE_WITHIN_DEG)), 3),
        blinks_per_min=round(blinks / (len(rows) / ROWS_PER_S / 60.0), 1),
    )


def run_set(name: str, clips: tuple[str, ...], seeds: int) -> dict:
    samples = other_party(clips)
    ends = phrase_ends_s(samples)
    per_seed = [{"seed": seed, **measure(listening_rows(samples, seed), ends).__dict__} for seed in range(seeds)]
    return {"set": name, "clips": list(clips), "seconds": DURATION_S, "phrase_ends": len(ends), "seeds": per_seed}


def render_table(report: dict) -> str:
    lines = [f"Measured {report['date']} on {report['machine']}, facecast {report['facecast']}: a face listening "
             f"to {DURATION_S:.0f} s of real speech, seeds 0–{report['seed_count'] - 1}.", ""]
    for result in report["sets"]:
        seeds = result["seeds"]
        worst = {"jaw_open_max": max(s["jaw_open_max"] for s in seeds),
                 "nod_rate_ratio": min(s["nod_rate_ratio"] for s in seeds),
                 "gaze_within_5deg": min(s["gaze_within_5deg"] for s in seeds),
                 "blinks_per_min": (min(s["blinks_per_min"] for s in seeds), max(s["blinks_per_min"] for s in seeds))}
        lines += [f"`{result['set']}` set ({result['phrase_ends']} phrase ends; nod rates per minute, within "
                  f"{NOD_WINDOW_S} s after a phrase end / elsewhere):", "",
                  "| seed | jawOpen max | nods: after phrase ends / elsewhere | rate after / elsewhere | rate ratio "
                  "| gaze within 5° | blinks/min |", "|---|---|---|---|---|---|---|"]
        for s in seeds:
            elsewhere = s["nods"] - s["nods_after_phrase_ends"]
            ratio = f"{'≥ ' if elsewhere == 0 else ''}{s['nod_rate_ratio']}"
            lines.append(f"| {s['seed']} | {s['jaw_open_max']} | {s['nods_after_phrase_ends']} / {elsewhere} "
                         f"| {s['nods_per_min_after_phrase_ends']} / {s['nods_per_min_elsewhere']} | {ratio} "
                         f"| {s['gaze_within_5deg']:.1%} | {s['blinks_per_min']} |")
        low, high = worst["blinks_per_min"]
        lines += [f"| worst | {worst['jaw_open_max']} | | | {worst['nod_rate_ratio']} "
                  f"| {worst['gaze_within_5deg']:.1%} | {low}–{high} |",
                  f"| target | {TARGETS['jaw_open_max']} | | | {TARGETS['nod_rate_ratio']} | "
                  f"{TARGETS['gaze_within_5deg']} | {TARGETS['blinks_per_min']} |", ""]
    return "\n".join(lines).rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--set", choices=("report", "tune", "both"), default="both")
    parser.add_argument("--no-readme", action="store_true", help="leave benchmarks/README.md alone")
    args = parser.parse_args()
    sets = {"report": REPORT_CLIPS, "tune": TUNE_CLIPS}
    chosen = sets if args.set == "both" else {args.set: sets[args.set]}
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    report = {"date": datetime.date.today().isoformat(), "machine": machine,
              "facecast": package_version(), "seed_count": args.seeds,
              "sets": [run_set(name, clips, args.seeds) for name, clips in chosen.items()]}
    publish(report, render_table(report), RESULTS, None if args.no_readme else (BEGIN, END))


if __name__ == "__main__":
    main()
