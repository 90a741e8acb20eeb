from . import animate_pb2 as _animate_pb2
from . import avatar_pb2 as _avatar_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ("server_version", "blendshape_names", "viseme_names", "min_fps", "max_fps", "default_fps", "min_sample_rate_hz", "max_sample_rate_hz", "audio_encodings", "outputs", "mouth_models", "max_message_bytes", "max_audio_chunk_s", "avatars_supported")
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    BLENDSHAPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    VISEME_NAMES_FIELD_NUMBER: _ClassVar[int]
    MIN_FPS_FIELD_NUMBER: _ClassVar[int]
    MAX_FPS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FPS_FIELD_NUMBER: _ClassVar[int]
    MIN_SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    MAX_SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    AUDIO_ENCODINGS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    MOUTH_MODELS_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_AUDIO_CHUNK_S_FIELD_NUMBER: _ClassVar[int]
    AVATARS_SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    server_version: str
    blendshape_names: _containers.RepeatedScalarFieldContainer[str]
    viseme_names: _containers.RepeatedScalarFieldContainer[str]
    min_fps: int
    max_fps: int
    default_fps: int
    min_sample_rate_hz: int
    max_sample_rate_hz: int
    audio_encodings: _containers.RepeatedScalarFieldContainer[_animate_pb2.AudioEncoding]
    outputs: _containers.RepeatedScalarFieldContainer[_animate_pb2.Output]
    mouth_models: _containers.RepeatedScalarFieldContainer[str]
    max_message_bytes: int
    max_audio_chunk_s: float
    avatars_supported: bool
    def __init__(self, server_version: _Optional[str] = ..., blendshape_names: _Optional[_Iterable[str]] = ..., viseme_names: _Optional[_Iterable[str]] = ..., min_fps: _Optional[int] = ..., max_fps: _Optional[int] = ..., default_fps: _Optional[int] = ..., min_sample_rate_hz: _Optional[int] = ..., max_sample_rate_hz: _Optional[int] = ..., audio_encodings: _Optional[_Iterable[_Union[_animate_pb2.AudioEncoding, str]]] = ..., outputs: _Optional[_Iterable[_Union[_animate_pb2.Output, str]]] = ..., mouth_models: _Optional[_Iterable[str]] = ..., max_message_bytes: _Optional[int] = ..., max_audio_chunk_s: _Optional[float] = ..., avatars_supported: _Optional[bool] = ...) -> None: ...
