"""The runtime's value types: head pose, gaze, controls, motion frames and session events.

Conventions (the same as proto/facecast/v1/motion.proto): camera frame right-handed, +x image
right, +y image up, +z towards the viewer; angles in degrees by the right-hand rule, so pitch > 0
nods down, yaw > 0 turns towards the image's right, roll > 0 tilts counter-clockwise in the image;
translations in face widths.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES
from runtime.errors import InvalidConfigError


@dataclass(frozen=True)
class HeadPose:
    """Head rotation (degrees) and translation (face widths) relative to the camera."""

    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0

    def as_array(self) -> np.ndarray:
        """(POSE_WIDTH,) float32, columns as PoseColumn (the field order)."""
        return np.array([getattr(self, f.name) for f in fields(self)], dtype=np.float32)

    @classmethod
    def from_array(cls, values: np.ndarray) -> HeadPose:
        return cls(*np.asarray(values[:POSE_WIDTH], np.float64).tolist())  # tolist: Python floats, fast


class PoseColumn(enum.IntEnum):
    """The columns of a head pose held as numbers (HeadPose.as_array, the motion rows, the
    renderer's (B, 6) poses): HeadPose's fields, in their order."""

    PITCH = 0
    YAW = 1
    ROLL = 2
    X = 3
    Y = 4
    Z = 5


POSE_WIDTH = len(PoseColumn)
POSE_ROTATION = slice(PoseColumn.PITCH, PoseColumn.ROLL + 1)  # the three angles, degrees


@dataclass(frozen=True)
class EyeGaze:
    """One eye's direction relative to the head, degrees (yaw > 0 image right, pitch > 0 down)."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0


@dataclass(frozen=True)
class Gaze:
    """Both eyes; `left` is the subject's own left eye (on the image's right)."""

    left: EyeGaze = EyeGaze()
    right: EyeGaze = EyeGaze()


class Emotion(enum.Enum):
    """Expression offsets laid over the speech (VASA-1's emotion condition)."""

    NEUTRAL = "neutral"
    HAPPY = "happy"
    SAD = "sad"
    ANGRY = "angry"
    SURPRISED = "surprised"
    FEARFUL = "fearful"
    DISGUSTED = "disgusted"
    CONTEMPT = "contempt"

    @classmethod
    def parse(cls, name: str) -> Emotion:
        try:
            return cls(name.strip().lower())
        except ValueError:
            choices = ", ".join(e.value for e in cls)
            raise InvalidConfigError(f"unknown emotion {name!r}; choose one of {choices}") from None


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidConfigError(f"{name} must be within [{low}, {high}], got {value}")


@dataclass(frozen=True)
class Controls:
    """The expressive controls of a session; every field has a natural default."""

    gaze_yaw_deg: float = 0.0  # eye-in-head, -30..30, > 0 towards the image's right
    gaze_pitch_deg: float = 0.0  # -30..30, > 0 down
    head_distance: float = 1.0  # relative to the portrait's own, 0.5..2 (2 = twice as far)
    emotion: Emotion = Emotion.NEUTRAL
    emotion_intensity: float = 1.0  # 0..1
    motion_intensity: float = 1.0  # head motion scale, 0 still .. 1 natural .. 2 animated
    attentiveness: float = 0.8  # while listening: gaze held, lean, readiness to nod, 0..1
    nod_rate: float = 1.0  # while listening: backchannel nods at phrase ends, 0 never .. 1 natural .. 2

    def __post_init__(self) -> None:
        _check_range("gaze_yaw_deg", self.gaze_yaw_deg, -30.0, 30.0)
        _check_range("gaze_pitch_deg", self.gaze_pitch_deg, -30.0, 30.0)
        _check_range("head_distance", self.head_distance, 0.5, 2.0)
        _check_range("emotion_intensity", self.emotion_intensity, 0.0, 1.0)
        _check_range("motion_intensity", self.motion_intensity, 0.0, 2.0)
        _check_range("attentiveness", self.attentiveness, 0.0, 1.0)
        _check_range("nod_rate", self.nod_rate, 0.0, 2.0)
        if not isinstance(self.emotion, Emotion):
            raise InvalidConfigError(f"emotion must be an Emotion, got {self.emotion!r}")


@dataclass(frozen=True)
class ControlPatch:
    """A mid-stream change of controls: the fields that are set replace the current values."""

    gaze_yaw_deg: float | None = None
    gaze_pitch_deg: float | None = None
    head_distance: float | None = None
    emotion: Emotion | None = None
    emotion_intensity: float | None = None
    motion_intensity: float | None = None
    attentiveness: float | None = None
    nod_rate: float | None = None

    def apply_to(self, controls: Controls) -> Controls:
        """The controls after this change; raises InvalidConfigError for out-of-range values."""
        changes = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(controls, **changes)


@dataclass(frozen=True)
class RestState:
    """Where the motion starts and returns to: a portrait's own pose and expression, or zeros."""

    head_pose: HeadPose = HeadPose()
    blendshapes: np.ndarray = field(default_factory=lambda: np.zeros(NUM_BLENDSHAPES, np.float32))


@dataclass(frozen=True, eq=False)
class MotionFrame:
    """The motion latent of one frame, at `time_s = index / fps` on the audio clock."""

    index: int
    time_s: float
    head_pose: HeadPose
    blendshapes: np.ndarray  # (52,) float32 in [0, 1], ARKit names in Apple's order
    visemes: np.ndarray  # (15,) float32 summing to 1, OVR order
    gaze: Gaze
    voice_activity: float  # probability in [0, 1]

    def __post_init__(self) -> None:
        if self.blendshapes.shape != (NUM_BLENDSHAPES,) or self.visemes.shape != (NUM_VISEMES,):
            raise ValueError("a MotionFrame needs 52 blendshapes and 15 visemes")


class EventKind(enum.Enum):
    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"
    END_OF_AUDIO = "end_of_audio"
    WARNING = "warning"
    # Conversation (runtime.motion.turns): the turn state entered at time_s, and where an interrupt
    # cut the face's own audio.
    STATE_SPEAKING = "state_speaking"
    STATE_LISTENING = "state_listening"
    STATE_IDLE = "state_idle"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class SessionEvent:
    """A notice in the output stream, at an audio-clock time, in time order among the frames."""

    kind: EventKind
    time_s: float
    message: str = ""
