from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HeadPose(_message.Message):
    __slots__ = ("pitch_deg", "yaw_deg", "roll_deg", "x", "y", "z")
    PITCH_DEG_FIELD_NUMBER: _ClassVar[int]
    YAW_DEG_FIELD_NUMBER: _ClassVar[int]
    ROLL_DEG_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    Z_FIELD_NUMBER: _ClassVar[int]
    pitch_deg: float
    yaw_deg: float
    roll_deg: float
    x: float
    y: float
    z: float
    def __init__(self, pitch_deg: _Optional[float] = ..., yaw_deg: _Optional[float] = ..., roll_deg: _Optional[float] = ..., x: _Optional[float] = ..., y: _Optional[float] = ..., z: _Optional[float] = ...) -> None: ...

class EyeGaze(_message.Message):
    __slots__ = ("yaw_deg", "pitch_deg")
    YAW_DEG_FIELD_NUMBER: _ClassVar[int]
    PITCH_DEG_FIELD_NUMBER: _ClassVar[int]
    yaw_deg: float
    pitch_deg: float
    def __init__(self, yaw_deg: _Optional[float] = ..., pitch_deg: _Optional[float] = ...) -> None: ...

class Gaze(_message.Message):
    __slots__ = ("left", "right")
    LEFT_FIELD_NUMBER: _ClassVar[int]
    RIGHT_FIELD_NUMBER: _ClassVar[int]
    left: EyeGaze
    right: EyeGaze
    def __init__(self, left: _Optional[_Union[EyeGaze, _Mapping]] = ..., right: _Optional[_Union[EyeGaze, _Mapping]] = ...) -> None: ...

class MotionFrame(_message.Message):
    __slots__ = ("index", "time_s", "head_pose", "blendshapes", "visemes", "gaze", "voice_activity")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TIME_S_FIELD_NUMBER: _ClassVar[int]
    HEAD_POSE_FIELD_NUMBER: _ClassVar[int]
    BLENDSHAPES_FIELD_NUMBER: _ClassVar[int]
    VISEMES_FIELD_NUMBER: _ClassVar[int]
    GAZE_FIELD_NUMBER: _ClassVar[int]
    VOICE_ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    index: int
    time_s: float
    head_pose: HeadPose
    blendshapes: _containers.RepeatedScalarFieldContainer[float]
    visemes: _containers.RepeatedScalarFieldContainer[float]
    gaze: Gaze
    voice_activity: float
    def __init__(self, index: _Optional[int] = ..., time_s: _Optional[float] = ..., head_pose: _Optional[_Union[HeadPose, _Mapping]] = ..., blendshapes: _Optional[_Iterable[float]] = ..., visemes: _Optional[_Iterable[float]] = ..., gaze: _Optional[_Union[Gaze, _Mapping]] = ..., voice_activity: _Optional[float] = ...) -> None: ...
