from . import controls_pb2 as _controls_pb2
from . import motion_pb2 as _motion_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Framing(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAMING_UNSPECIFIED: _ClassVar[Framing]
    FRAMING_PORTRAIT: _ClassVar[Framing]
    FRAMING_FACE: _ClassVar[Framing]
    FRAMING_HEAD: _ClassVar[Framing]

class AudioEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_ENCODING_UNSPECIFIED: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_PCM_S16LE: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_FLOAT32LE: _ClassVar[AudioEncoding]

class Output(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTPUT_UNSPECIFIED: _ClassVar[Output]
    OUTPUT_LATENTS: _ClassVar[Output]
    OUTPUT_FRAMES: _ClassVar[Output]
    OUTPUT_LATENTS_AND_FRAMES: _ClassVar[Output]

class ImageEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_ENCODING_UNSPECIFIED: _ClassVar[ImageEncoding]
    IMAGE_ENCODING_JPEG: _ClassVar[ImageEncoding]
    IMAGE_ENCODING_PNG: _ClassVar[ImageEncoding]
    IMAGE_ENCODING_RGBA: _ClassVar[ImageEncoding]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_SPEECH_START: _ClassVar[EventType]
    EVENT_TYPE_SPEECH_END: _ClassVar[EventType]
    EVENT_TYPE_END_OF_AUDIO: _ClassVar[EventType]
    EVENT_TYPE_WARNING: _ClassVar[EventType]
    EVENT_TYPE_STATE_SPEAKING: _ClassVar[EventType]
    EVENT_TYPE_STATE_LISTENING: _ClassVar[EventType]
    EVENT_TYPE_STATE_IDLE: _ClassVar[EventType]
    EVENT_TYPE_INTERRUPTED: _ClassVar[EventType]
FRAMING_UNSPECIFIED: Framing
FRAMING_PORTRAIT: Framing
FRAMING_FACE: Framing
FRAMING_HEAD: Framing
AUDIO_ENCODING_UNSPECIFIED: AudioEncoding
AUDIO_ENCODING_PCM_S16LE: AudioEncoding
AUDIO_ENCODING_FLOAT32LE: AudioEncoding
OUTPUT_UNSPECIFIED: Output
OUTPUT_LATENTS: Output
OUTPUT_FRAMES: Output
OUTPUT_LATENTS_AND_FRAMES: Output
IMAGE_ENCODING_UNSPECIFIED: ImageEncoding
IMAGE_ENCODING_JPEG: ImageEncoding
IMAGE_ENCODING_PNG: ImageEncoding
IMAGE_ENCODING_RGBA: ImageEncoding
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_SPEECH_START: EventType
EVENT_TYPE_SPEECH_END: EventType
EVENT_TYPE_END_OF_AUDIO: EventType
EVENT_TYPE_WARNING: EventType
EVENT_TYPE_STATE_SPEAKING: EventType
EVENT_TYPE_STATE_LISTENING: EventType
EVENT_TYPE_STATE_IDLE: EventType
EVENT_TYPE_INTERRUPTED: EventType

class AnimateRequest(_message.Message):
    __slots__ = ("config", "audio", "control", "end_of_audio", "listen_audio", "interrupt")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    END_OF_AUDIO_FIELD_NUMBER: _ClassVar[int]
    LISTEN_AUDIO_FIELD_NUMBER: _ClassVar[int]
    INTERRUPT_FIELD_NUMBER: _ClassVar[int]
    config: SessionConfig
    audio: AudioChunk
    control: ControlUpdate
    end_of_audio: EndOfAudio
    listen_audio: AudioChunk
    interrupt: Interrupt
    def __init__(self, config: _Optional[_Union[SessionConfig, _Mapping]] = ..., audio: _Optional[_Union[AudioChunk, _Mapping]] = ..., control: _Optional[_Union[ControlUpdate, _Mapping]] = ..., end_of_audio: _Optional[_Union[EndOfAudio, _Mapping]] = ..., listen_audio: _Optional[_Union[AudioChunk, _Mapping]] = ..., interrupt: _Optional[_Union[Interrupt, _Mapping]] = ...) -> None: ...

class SessionConfig(_message.Message):
    __slots__ = ("avatar_id", "fps", "audio_format", "seed", "controls", "output", "mouth_model", "idle_s", "image_encoding", "jpeg_quality", "frame_size", "framing", "conversation")
    AVATAR_ID_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    CONTROLS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    MOUTH_MODEL_FIELD_NUMBER: _ClassVar[int]
    IDLE_S_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ENCODING_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    FRAME_SIZE_FIELD_NUMBER: _ClassVar[int]
    FRAMING_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    avatar_id: str
    fps: int
    audio_format: AudioFormat
    seed: int
    controls: _controls_pb2.Controls
    output: Output
    mouth_model: str
    idle_s: float
    image_encoding: ImageEncoding
    jpeg_quality: int
    frame_size: int
    framing: Framing
    conversation: bool
    def __init__(self, avatar_id: _Optional[str] = ..., fps: _Optional[int] = ..., audio_format: _Optional[_Union[AudioFormat, _Mapping]] = ..., seed: _Optional[int] = ..., controls: _Optional[_Union[_controls_pb2.Controls, _Mapping]] = ..., output: _Optional[_Union[Output, str]] = ..., mouth_model: _Optional[str] = ..., idle_s: _Optional[float] = ..., image_encoding: _Optional[_Union[ImageEncoding, str]] = ..., jpeg_quality: _Optional[int] = ..., frame_size: _Optional[int] = ..., framing: _Optional[_Union[Framing, str]] = ..., conversation: _Optional[bool] = ...) -> None: ...

class AudioFormat(_message.Message):
    __slots__ = ("encoding", "sample_rate_hz")
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    encoding: AudioEncoding
    sample_rate_hz: int
    def __init__(self, encoding: _Optional[_Union[AudioEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class ControlUpdate(_message.Message):
    __slots__ = ("controls", "transition_s")
    CONTROLS_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_S_FIELD_NUMBER: _ClassVar[int]
    controls: _controls_pb2.Controls
    transition_s: float
    def __init__(self, controls: _Optional[_Union[_controls_pb2.Controls, _Mapping]] = ..., transition_s: _Optional[float] = ...) -> None: ...

class Interrupt(_message.Message):
    __slots__ = ("at_s",)
    AT_S_FIELD_NUMBER: _ClassVar[int]
    at_s: float
    def __init__(self, at_s: _Optional[float] = ...) -> None: ...

class EndOfAudio(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AnimateResponse(_message.Message):
    __slots__ = ("started", "motion", "frame", "event", "status")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    started: SessionStarted
    motion: _motion_pb2.MotionFrame
    frame: RenderedFrame
    event: Event
    status: SessionStatus
    def __init__(self, started: _Optional[_Union[SessionStarted, _Mapping]] = ..., motion: _Optional[_Union[_motion_pb2.MotionFrame, _Mapping]] = ..., frame: _Optional[_Union[RenderedFrame, _Mapping]] = ..., event: _Optional[_Union[Event, _Mapping]] = ..., status: _Optional[_Union[SessionStatus, _Mapping]] = ...) -> None: ...

class SessionStarted(_message.Message):
    __slots__ = ("session_id", "blendshape_names", "viseme_names", "fps", "model_versions", "lookahead_s", "rest_head_pose", "rest_blendshapes")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BLENDSHAPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    VISEME_NAMES_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    LOOKAHEAD_S_FIELD_NUMBER: _ClassVar[int]
    REST_HEAD_POSE_FIELD_NUMBER: _ClassVar[int]
    REST_BLENDSHAPES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    blendshape_names: _containers.RepeatedScalarFieldContainer[str]
    viseme_names: _containers.RepeatedScalarFieldContainer[str]
    fps: int
    model_versions: _containers.RepeatedCompositeFieldContainer[ModelVersion]
    lookahead_s: float
    rest_head_pose: _motion_pb2.HeadPose
    rest_blendshapes: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, session_id: _Optional[str] = ..., blendshape_names: _Optional[_Iterable[str]] = ..., viseme_names: _Optional[_Iterable[str]] = ..., fps: _Optional[int] = ..., model_versions: _Optional[_Iterable[_Union[ModelVersion, _Mapping]]] = ..., lookahead_s: _Optional[float] = ..., rest_head_pose: _Optional[_Union[_motion_pb2.HeadPose, _Mapping]] = ..., rest_blendshapes: _Optional[_Iterable[float]] = ...) -> None: ...

class ModelVersion(_message.Message):
    __slots__ = ("component", "name", "version")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    component: str
    name: str
    version: str
    def __init__(self, component: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class RenderedFrame(_message.Message):
    __slots__ = ("index", "time_s", "encoding", "width", "height", "data")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TIME_S_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    index: int
    time_s: float
    encoding: ImageEncoding
    width: int
    height: int
    data: bytes
    def __init__(self, index: _Optional[int] = ..., time_s: _Optional[float] = ..., encoding: _Optional[_Union[ImageEncoding, str]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("type", "time_s", "message")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_S_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    type: EventType
    time_s: float
    message: str
    def __init__(self, type: _Optional[_Union[EventType, str]] = ..., time_s: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class SessionStatus(_message.Message):
    __slots__ = ("code", "message", "frames", "audio_duration_s")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    AUDIO_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    frames: int
    audio_duration_s: float
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., frames: _Optional[int] = ..., audio_duration_s: _Optional[float] = ...) -> None: ...
