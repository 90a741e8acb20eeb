from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Emotion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMOTION_UNSPECIFIED: _ClassVar[Emotion]
    EMOTION_NEUTRAL: _ClassVar[Emotion]
    EMOTION_HAPPY: _ClassVar[Emotion]
    EMOTION_SAD: _ClassVar[Emotion]
    EMOTION_ANGRY: _ClassVar[Emotion]
    EMOTION_SURPRISED: _ClassVar[Emotion]
    EMOTION_FEARFUL: _ClassVar[Emotion]
    EMOTION_DISGUSTED: _ClassVar[Emotion]
    EMOTION_CONTEMPT: _ClassVar[Emotion]
EMOTION_UNSPECIFIED: Emotion
EMOTION_NEUTRAL: Emotion
EMOTION_HAPPY: Emotion
EMOTION_SAD: Emotion
EMOTION_ANGRY: Emotion
EMOTION_SURPRISED: Emotion
EMOTION_FEARFUL: Emotion
EMOTION_DISGUSTED: Emotion
EMOTION_CONTEMPT: Emotion

class Controls(_message.Message):
    __slots__ = ("gaze_yaw_deg", "gaze_pitch_deg", "head_distance", "emotion", "emotion_intensity", "motion_intensity", "attentiveness", "nod_rate")
    GAZE_YAW_DEG_FIELD_NUMBER: _ClassVar[int]
    GAZE_PITCH_DEG_FIELD_NUMBER: _ClassVar[int]
    HEAD_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    EMOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    ATTENTIVENESS_FIELD_NUMBER: _ClassVar[int]
    NOD_RATE_FIELD_NUMBER: _ClassVar[int]
    gaze_yaw_deg: float
    gaze_pitch_deg: float
    head_distance: float
    emotion: Emotion
    emotion_intensity: float
    motion_intensity: float
    attentiveness: float
    nod_rate: float
    def __init__(self, gaze_yaw_deg: _Optional[float] = ..., gaze_pitch_deg: _Optional[float] = ..., head_distance: _Optional[float] = ..., emotion: _Optional[_Union[Emotion, str]] = ..., emotion_intensity: _Optional[float] = ..., motion_intensity: _Optional[float] = ..., attentiveness: _Optional[float] = ..., nod_rate: _Optional[float] = ...) -> None: ...
