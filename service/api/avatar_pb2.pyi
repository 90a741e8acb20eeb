from . import motion_pb2 as _motion_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Avatar(_message.Message):
    __slots__ = ("avatar_id", "display_name", "width", "height", "rest_head_pose", "rest_blendshapes", "created_unix_s")
    AVATAR_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    REST_HEAD_POSE_FIELD_NUMBER: _ClassVar[int]
    REST_BLENDSHAPES_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_S_FIELD_NUMBER: _ClassVar[int]
    avatar_id: str
    display_name: str
    width: int
    height: int
    rest_head_pose: _motion_pb2.HeadPose
    rest_blendshapes: _containers.RepeatedScalarFieldContainer[float]
    created_unix_s: float
    def __init__(self, avatar_id: _Optional[str] = ..., display_name: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., rest_head_pose: _Optional[_Union[_motion_pb2.HeadPose, _Mapping]] = ..., rest_blendshapes: _Optional[_Iterable[float]] = ..., created_unix_s: _Optional[float] = ...) -> None: ...

class CreateAvatarRequest(_message.Message):
    __slots__ = ("image", "display_name")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    image: bytes
    display_name: str
    def __init__(self, image: _Optional[bytes] = ..., display_name: _Optional[str] = ...) -> None: ...

class CreateAvatarResponse(_message.Message):
    __slots__ = ("avatar", "warnings")
    AVATAR_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    avatar: Avatar
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, avatar: _Optional[_Union[Avatar, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class GetAvatarRequest(_message.Message):
    __slots__ = ("avatar_id",)
    AVATAR_ID_FIELD_NUMBER: _ClassVar[int]
    avatar_id: str
    def __init__(self, avatar_id: _Optional[str] = ...) -> None: ...

class GetAvatarResponse(_message.Message):
    __slots__ = ("avatar",)
    AVATAR_FIELD_NUMBER: _ClassVar[int]
    avatar: Avatar
    def __init__(self, avatar: _Optional[_Union[Avatar, _Mapping]] = ...) -> None: ...

class ListAvatarsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAvatarsResponse(_message.Message):
    __slots__ = ("avatars",)
    AVATARS_FIELD_NUMBER: _ClassVar[int]
    avatars: _containers.RepeatedCompositeFieldContainer[Avatar]
    def __init__(self, avatars: _Optional[_Iterable[_Union[Avatar, _Mapping]]] = ...) -> None: ...

class DeleteAvatarRequest(_message.Message):
    __slots__ = ("avatar_id",)
    AVATAR_ID_FIELD_NUMBER: _ClassVar[int]
    avatar_id: str
    def __init__(self, avatar_id: _Optional[str] = ...) -> None: ...

class DeleteAvatarResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
