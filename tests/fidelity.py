"""The fidelity harness (issue 11, "Proof, measured"): renders each test portrait (tests/portrait_set.py)
in face framing at 512² and judges the frames with a model nobody here wrote, MediaPipe's
FaceLandmarker (DESIGN.md) — and, for glasses, with the pictures themselves.

Per portrait:
- sweeps: Pearson r and least-squares slope of what FaceLandmarker reads back against what was asked
  (blendshapes as absolute weights over the portrait's own rest weights; head angles as offsets from
  its rest pose; gaze as the irises' position in the eyes);
- face found: the share of all rendered frames in which FaceLandmarker finds a face;
- lip closure: real recorded speech (LibriVox) through the Animator with the portrait's rest state;
  the frames asking for a closure (PP viseme ≥ 0.8), rendered, read back as closed when the inner-lip
  gap is under 2 % of the mouth's width;
- glasses rigidity: with the head held at rest, how far the rim's pixels move (px RMS) in blink, brow
  raise, smile and squint frames (tests/rigidity.py);
- identity: SSIM of the rest frame against the framed portrait, and the largest pixel change far from
  the face (FAR_FROM_HEAD) over every rendered frame with the head at rest (in face framing a head
  turn moves the hair at the frame's edge by design: the warp's still border lies outside the frame).

    python -m tests.fidelity [--split tuning|check|all] [--portraits a,b] [--json OUT] [--readme]

`--readme` (with every portrait) also rewrites the README's summary table, between its
fidelity markers.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from skimage.metrics import structural_similarity

from benchmarks.report import write_readme_section
from runtime.arkit import blendshape_index
from runtime.audio.files import load_audio
from runtime.audio.pcm import AudioFormat
from runtime.errors import InvalidAudioError
from runtime.face.analysis import SMOOTHED_NOTE, AnalysisOptions, analyse_portrait, smoothed_copy
from runtime.face.avatar import Avatar
from runtime.face.errors import InvalidImageError
from runtime.face.landmarker import DetectedFace, FaceLandmarker
from runtime.pipeline import Animator, AnimatorOptions, run_clip
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import FrameOptions, Framing, frame_portrait
from runtime.render.landmark_groups import FACE_OVAL, LEFT_EYE, LIPS, RIGHT_EYE
from runtime.types import MotionFrame, RestState
from tests import rigidity
from tests.fidelity_results import (
    ClosureResult,
    IdentityResult,
    PortraitFidelity,
    RigidityResult,
    SweepResult,
    readme_table,
    report,
)
from tests.portrait_set import PortraitSpec, glasses_mask, portrait_png, portrait_set

log = logging.getLogger("fidelity")

FRAME_OPTIONS = FrameOptions(512, Framing.FACE)
README = Path(__file__).resolve().parent.parent / "README.md"
README_MARKERS = ("<!-- fidelity:begin -->", "<!-- fidelity:end -->")
STEPS = 7  # requested values per sweep
RENDER_BATCH = 8  # frames rendered together (memory stays small at 512² plus the warp's margin)
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")  # Debian pocketsphinx-testdata
SPEECH_CLIPS = ("sense_and_sensibility_01_austen_64kb-0920.wav",  # "…a more amiable woman he might have been made…"
                "sense_and_sensibility_01_austen_64kb-0930.wav")  # "he might even have been made amiable himself"
PP = 1  # the bilabial viseme (p, b, m) in OVR order
CLOSURE_PP = 0.8  # frames asking at least this much PP must show closed lips
CLOSED_GAP = 0.02  # closed: the inner-lip gap under this share of the mouth's width
UPPER_LIP_MIDDLE = LIPS.inner_upper[len(LIPS.inner_upper) // 2]  # 13 in MediaPipe's mesh
LOWER_LIP_MIDDLE = LIPS.inner_lower[len(LIPS.inner_lower) // 2]  # 14
FAR_FROM_HEAD = 0.75  # "far from the head": beyond the warp's reach (its field is zero 0.7 oval sizes out)
RIGID_EXPRESSIONS = {  # weights set (absolute) over the rest weights, head held at its rest pose
    "blink": {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0},
    "brow raise": {"browInnerUp": 1.0, "browOuterUpLeft": 1.0, "browOuterUpRight": 1.0},
    "smile": {"mouthSmileLeft": 1.0, "mouthSmileRight": 1.0},
    "squint": {"eyeSquintLeft": 1.0, "eyeSquintRight": 1.0, "cheekSquintLeft": 1.0, "cheekSquintRight": 1.0},
}
PITCH, YAW = 0, 1  # columns of a (B, 6) pose array


@dataclass(frozen=True)
class Sweep:
    label: str
    target: str  # a blendshape name, or "yaw", "pitch", "gaze"
    low: float
    high: float


SWEEPS = (
    Sweep("jawOpen", "jawOpen", 0.0, 0.8),
    Sweep("blinkL", "eyeBlinkLeft", 0.0, 1.0),
    Sweep("blinkR", "eyeBlinkRight", 0.0, 1.0),
    Sweep("smileL", "mouthSmileLeft", 0.0, 1.0),  # read back as mouthSmileLeft
    Sweep("smileR", "mouthSmileRight", 0.0, 1.0),
    Sweep("yaw", "yaw", -15.0, 15.0),
    Sweep("pitch", "pitch", -10.0, 10.0),
    Sweep("gaze", "gaze", -1.0, 1.0),
)


@dataclass(frozen=True)
class _Subject:
    """One portrait made ready: its renderer, rest latents and framed pictures."""

    avatar: Avatar
    renderer: FrameRenderer
    rest_frame: np.ndarray  # (H, W, 3) the framed portrait
    landmarks: np.ndarray  # (478, 3) in the frame's pixels
    far_mask: np.ndarray  # (H, W) bool: far from the head
    # The analysis found the face only on a smoothed copy of the portrait (its strokes hid it): its
    # frames are read back the same way, or the read-back measures FaceLandmarker's blindness to the
    # style rather than the renderer (the pencil drawing behind acetate read as noise, jaw r 0.02).
    read_smoothed: bool
    options: FrameOptions  # how its frames are framed

    @property
    def rest(self) -> RestState:
        return self.avatar.rest_state

    def rest_batch(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        weights = np.repeat(self.avatar.rest_blendshapes[None], count, axis=0).astype(np.float32)
        poses = np.repeat(self.avatar.rest_head_pose.as_array()[None], count, axis=0)
        return weights, poses


class _Counter:
    """Every rendered frame passes through here: rendered in batches, its face looked for, and the
    pixels far from the head compared with the portrait's."""

    def __init__(self, landmarker: FaceLandmarker, subject: _Subject) -> None:
        self.landmarker, self.subject = landmarker, subject
        self.frames = self.found = self.max_change_far = 0

    def render_and_find(self, weights: np.ndarray, poses: np.ndarray) -> tuple[np.ndarray, list[DetectedFace | None]]:
        renderer = self.subject.renderer
        frames = np.concatenate([renderer.render_latents(weights[i:i + RENDER_BATCH], poses[i:i + RENDER_BATCH])
                                 for i in range(0, len(weights), RENDER_BATCH)])  # (B, H, W, 3)
        faces = [_largest_face(self.landmarker, smoothed_copy(frame) if self.subject.read_smoothed else frame)
                 for frame in frames]
        # Only frames with the head at rest: a head turn moves the hair at the face crop's edge by design.
        still = np.all(poses == self.subject.avatar.rest_head_pose.as_array(), axis=1)
        far = frames[still][:, self.subject.far_mask].astype(int) - self.subject.rest_frame[self.subject.far_mask]
        self.max_change_far = max(self.max_change_far, int(np.abs(far).max(initial=0)))
        self.frames += len(frames)
        self.found += sum(face is not None for face in faces)
        return frames, faces

    @property
    def found_share(self) -> float:
        return self.found / max(self.frames, 1)


def _largest_face(landmarker: FaceLandmarker, frame: np.ndarray) -> DetectedFace | None:
    faces = landmarker.detect(frame)
    return max(faces, key=lambda face: face.size_px) if faces else None


def measure_portrait(spec: PortraitSpec, landmarker: FaceLandmarker, speech: list[np.ndarray],
                     options: FrameOptions = FRAME_OPTIONS) -> PortraitFidelity:
    """Every measure on one portrait; an analysis failure is a result, not an exception."""
    started = time.perf_counter()
    try:
        subject = _prepare(spec, landmarker, options)
    except InvalidImageError as error:
        return PortraitFidelity(spec.name, spec.split.value, error=str(error))
    counter = _Counter(landmarker, subject)
    identity_frame, (rest_face,) = counter.render_and_find(*subject.rest_batch(1))
    sweeps = tuple(measure_sweep(counter, sweep) for sweep in SWEEPS)
    closure = measure_closure(counter, speech, rest_face)
    mask = glasses_mask(spec.name)
    rigidity_result = measure_rigidity(counter, _framed_mask(subject, mask)) if mask is not None else None
    identity = _identity(subject, identity_frame[0], counter.max_change_far)
    return PortraitFidelity(spec.name, spec.split.value, None, sweeps, counter.found_share, closure,
                            rigidity_result, identity, round(time.perf_counter() - started, 1), subject.read_smoothed)


def _prepare(spec: PortraitSpec, landmarker: FaceLandmarker, options: FrameOptions = FRAME_OPTIONS) -> _Subject:
    analysis = analyse_portrait(portrait_png(spec.name), AnalysisOptions(), landmarker)
    avatar = Avatar.from_analysis(spec.name, spec.name, 0.0, analysis)
    framed = frame_portrait(avatar.image, avatar.landmarks, options)
    left, top = framed.crop[:2]
    landmarks = framed.landmarks.copy()
    landmarks[:, :2] -= (left, top)
    rest_frame = np.ascontiguousarray(framed.frame)
    return _Subject(avatar, FrameRenderer(avatar, options), rest_frame, landmarks,
                    _far_from_head(landmarks, rest_frame.shape[:2]), SMOOTHED_NOTE in analysis.warnings, options)


def _far_from_head(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    oval = landmarks[list(FACE_OVAL), :2]
    inside = np.zeros(shape, np.uint8)
    cv2.fillPoly(inside, [cv2.convexHull(oval.round().astype(np.int32))], 1)
    distance = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
    return distance > FAR_FROM_HEAD * float(np.ptp(oval, axis=0).max())


def measure_sweep(counter: _Counter, sweep: Sweep) -> SweepResult:
    requested = np.linspace(sweep.low, sweep.high, STEPS)
    weights, poses = counter.subject.rest_batch(STEPS)
    for row, pose, value in zip(weights, poses, requested, strict=True):
        _request(row, pose, sweep.target, value)
    _, faces = counter.render_and_find(weights, poses)
    recovered = np.array([_read_back(face, sweep.target) if face is not None else np.nan for face in faces])
    r, slope = _fit(requested, recovered)
    return SweepResult(sweep.label, r, slope, tuple(requested.round(3)), tuple(recovered.round(4)))


def _request(weights: np.ndarray, pose: np.ndarray, target: str, value: float) -> None:
    if target == "yaw":
        pose[YAW] += value
    elif target == "pitch":
        pose[PITCH] += value
    elif target == "gaze":
        set_gaze(weights, value)
    else:
        weights[blendshape_index(target)] = value


def _read_back(face: DetectedFace, target: str) -> float:
    if target == "gaze":
        return gaze_x(face.landmarks)
    if target in ("yaw", "pitch"):
        return float(face.head_pose.as_array()[YAW if target == "yaw" else PITCH])
    return float(face.blendshapes[blendshape_index(target)])


def _fit(requested: np.ndarray, recovered: np.ndarray) -> tuple[float, float]:
    found = ~np.isnan(recovered)
    if found.sum() < 3 or np.ptp(recovered[found]) == 0:
        return float("nan"), float("nan")
    r = float(np.corrcoef(requested[found], recovered[found])[0, 1])
    return r, float(np.polyfit(requested[found], recovered[found], 1)[0])


def gaze_x(landmarks: np.ndarray) -> float:
    """How far both irises sit towards the image's right, in eye widths from the eyes' middles
    (as tests/test_render.py's _gaze_x)."""
    offsets = []
    for eye in (RIGHT_EYE, LEFT_EYE):
        corners = landmarks[[eye.outer_corner, eye.inner_corner], 0]
        offsets.append((landmarks[eye.iris[0], 0] - corners.mean()) / abs(corners[0] - corners[1]))
    return float(np.mean(offsets))


def set_gaze(weights: np.ndarray, towards_image_right: float) -> None:
    """Both eyes turned towards the image's right (> 0: the subject's left) or left (< 0)."""
    amount = abs(towards_image_right)
    names = ("eyeLookOutLeft", "eyeLookInRight") if towards_image_right >= 0 else ("eyeLookInLeft", "eyeLookOutRight")
    for name in names:
        weights[blendshape_index(name)] = amount


def load_speech() -> list[np.ndarray]:
    """The LibriVox clips' samples, mono float32 at 16 kHz (InvalidAudioError when not installed)."""
    clips = [load_audio(LIBRIVOX / name) for name in SPEECH_CLIPS]
    if any(clip.sample_rate != 16_000 for clip in clips):
        raise InvalidAudioError("the LibriVox test clips are expected at 16 kHz")
    return [clip.samples for clip in clips]


def closure_latents(rest: RestState, speech: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(N, 52) weights and (N, 6) poses of the frames asking for a closure, from the Animator run on
    each clip with the portrait's rest state as the dynamics' rest."""
    frames: list[MotionFrame] = []
    for samples in speech:
        animator = Animator(AnimatorOptions(audio_format=AudioFormat(sample_rate_hz=16_000), rest=rest))
        outputs = run_clip(animator, samples)
        frames += [out for out in outputs if isinstance(out, MotionFrame) and out.visemes[PP] >= CLOSURE_PP]
    if not frames:
        return np.zeros((0, 52), np.float32), np.zeros((0, 6))
    return (np.stack([frame.blendshapes for frame in frames]).astype(np.float32),
            np.stack([frame.head_pose.as_array() for frame in frames]))


def lip_gap(landmarks: np.ndarray) -> float:
    """Inner-lip gap at the middle over the mouth's width (corner to corner)."""
    right, left = LIPS.corners
    gap = np.linalg.norm(landmarks[UPPER_LIP_MIDDLE, :2] - landmarks[LOWER_LIP_MIDDLE, :2])
    return float(gap / np.linalg.norm(landmarks[left, :2] - landmarks[right, :2]))


def measure_closure(counter: _Counter, speech: list[np.ndarray], rest_face: DetectedFace | None) -> ClosureResult:
    """A closure frame counts as closed when FaceLandmarker reads its inner lips less than CLOSED_GAP of
    the mouth's width apart. `rest_face`, its reading of the rendered rest frame, is reported beside
    the closures' gaps (ClosureResult.rest_gap), not used to judge them: on drawings FaceLandmarker
    reads the portrait's own shut mouth parted by 0.02 at its own size and by 0.08-0.11 in the 512²
    face-framed frame, and the rest frame shows how far from closed a portrait's own lips read."""
    weights, poses = closure_latents(counter.subject.rest, speech)
    if len(weights) == 0:
        raise InvalidAudioError("no frame of the speech clips asks for a closure: nothing to measure")
    _, faces = counter.render_and_find(weights, poses)
    gaps = np.array([lip_gap(face.landmarks) if face else np.nan for face in faces])
    jaw = np.array([face.blendshapes[blendshape_index("jawOpen")] if face else np.nan for face in faces])
    closed = np.nan_to_num(gaps, nan=1.0) < CLOSED_GAP
    return ClosureResult(len(faces), float(closed.mean()), float(np.nanmedian(gaps)), float(np.nanmean(jaw)),
                         lip_gap(rest_face.landmarks) if rest_face is not None else float("nan"))


def _framed_mask(subject: _Subject, mask: np.ndarray) -> np.ndarray:
    """The portrait's glasses mask carried into the frame, as the renderer frames the portrait."""
    as_image = np.repeat((mask * 255).round().astype(np.uint8)[..., None], 3, axis=2)
    framed = frame_portrait(as_image, subject.avatar.landmarks, subject.options).frame
    return framed[..., 0].astype(np.float32) / 255.0


def eye_openings(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(H, W) bool: inside either eye's lids."""
    openings = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        outline = landmarks[list(eye.upper_lid) + list(eye.lower_lid[::-1]), :2]
        cv2.fillPoly(openings, [outline.round().astype(np.int32)], 1)
    return openings > 0


def measure_rigidity(counter: _Counter, mask: np.ndarray) -> RigidityResult:
    subject = counter.subject
    weights, poses = subject.rest_batch(1 + len(RIGID_EXPRESSIONS))
    for row, settings in zip(weights[1:], RIGID_EXPRESSIONS.values(), strict=True):
        for name, value in settings.items():
            row[blendshape_index(name)] = value
    frames, _ = counter.render_and_find(weights, poses)
    centres = rigidity.rim_patch_centres(mask, eye_openings(subject.landmarks, mask.shape))
    shifts = {label: rigidity.patch_shifts(frames[0], frame, mask, centres)
              for label, frame in zip(RIGID_EXPRESSIONS, frames[1:], strict=True)}
    rms = {label: round(rigidity.rms_shift_px(read), 3) for label, read in shifts.items()}
    largest = {label: round(float(np.hypot(*read.shifts.T).max(initial=0.0)), 3) for label, read in shifts.items()}
    return RigidityResult(len(centres), rms, largest)


def _identity(subject: _Subject, rest_render: np.ndarray, max_change_far: int) -> IdentityResult:
    ssim = structural_similarity(rest_render, subject.rest_frame, channel_axis=2, data_range=255)
    change = int(np.abs(rest_render.astype(int) - subject.rest_frame).max())
    return IdentityResult(round(float(ssim), 4), change, max_change_far)


def run(specs: tuple[PortraitSpec, ...], options: FrameOptions = FRAME_OPTIONS) -> list[PortraitFidelity]:
    speech = load_speech()
    results = []
    with FaceLandmarker() as landmarker:
        for spec in specs:
            results.append(measure_portrait(spec, landmarker, speech, options))
            log.info("%s: %.1f s", spec.name, results[-1].seconds)
    return results


def _chosen(split: str, names: str | None) -> tuple[PortraitSpec, ...]:
    specs = portrait_set(None if split == "all" else split)
    if names:
        wanted = set(names.split(","))
        unknown = wanted - {spec.name for spec in portrait_set()}
        if unknown:
            raise SystemExit(f"unknown portraits: {', '.join(sorted(unknown))}")
        specs = tuple(spec for spec in portrait_set() if spec.name in wanted)
    return specs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fidelity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tuning", "check", "all"), default="all")
    parser.add_argument("--portraits", help="comma-separated names (overrides --split)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--readme", action="store_true", help="also rewrite the README's table (every portrait)")
    parser.add_argument("--framing", choices=[framing.value for framing in Framing],
                        default=FRAME_OPTIONS.framing.value, help="how frames are framed (the README's: face)")
    parser.add_argument("--size", type=int, default=FRAME_OPTIONS.size, help="the frames' side (the README's: 512)")
    args = parser.parse_args(argv)
    options = FrameOptions(args.size, Framing(args.framing))
    if args.readme and (args.portraits or args.split != "all" or options != FRAME_OPTIONS):
        parser.error("--readme rewrites the whole table: measure every portrait (no --split or --portraits) "
                     "in the table's framing (no --framing or --size)")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    results = run(_chosen(args.split, args.portraits), options)
    print(report(results))
    print(f"\n{len(results)} portraits in {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=1))
    if args.readme:
        write_readme_section(readme_table(results), *README_MARKERS, readme=README)


if __name__ == "__main__":
    main()
