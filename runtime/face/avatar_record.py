"""An avatar's on-disk record: msgpack metadata with its arrays as raw bytes + dtype + shape, and its
image as a PNG. Decoding checks every field, so a damaged record is refused, never half-served."""

from __future__ import annotations

import io
from typing import Any

import msgpack
import numpy as np
from PIL import Image

from runtime.arkit import NUM_BLENDSHAPES
from runtime.face.avatar import Avatar
from runtime.face.landmarker import NUM_LANDMARKS
from runtime.types import HeadPose

RECORD_FORMAT = 1


class DamagedRecordError(ValueError):
    """A record that cannot be trusted; the store drops it."""


def encode_record(avatar: Avatar) -> bytes:
    return msgpack.packb({
        "format": RECORD_FORMAT,
        "avatar_id": avatar.avatar_id,
        "display_name": avatar.display_name,
        "created_unix_s": avatar.created_unix_s,
        "width": avatar.width,
        "height": avatar.height,
        "analysis_version": avatar.analysis_version,
        "landmarks": _pack_array(avatar.landmarks),
        "face_box": list(avatar.face_box),
        "rest_head_pose": _pack_array(avatar.rest_head_pose.as_array()),
        "rest_blendshapes": _pack_array(avatar.rest_blendshapes),
        "warnings": list(avatar.warnings),
    })


def encode_image(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG", compress_level=3)  # speed over a few KB
    return buffer.getvalue()


def decode_record(payload: bytes, image_png: bytes, expected_id: str) -> Avatar:
    """Raises DamagedRecordError for anything unexpected (bad msgpack, fields, shapes, image)."""
    try:
        fields = msgpack.unpackb(payload, raw=False, strict_map_key=True)
        return _avatar_from(fields, image_png, expected_id)
    except DamagedRecordError:
        raise
    except Exception as error:  # msgpack, PIL and type errors all mean "damaged"
        raise DamagedRecordError(f"{type(error).__name__}: {error}") from None


def _avatar_from(fields: Any, image_png: bytes, expected_id: str) -> Avatar:
    if not isinstance(fields, dict) or fields.get("format") != RECORD_FORMAT:
        raise DamagedRecordError("not an avatar record")
    if fields["avatar_id"] != expected_id:
        raise DamagedRecordError("record id does not match its file name")
    width, height = int(fields["width"]), int(fields["height"])
    image = _decode_png(image_png, width, height)
    face_box = tuple(float(v) for v in fields["face_box"])
    if len(face_box) != 4:
        raise DamagedRecordError("face box needs 4 numbers")
    return Avatar(
        avatar_id=expected_id,
        display_name=str(fields["display_name"]),
        created_unix_s=float(fields["created_unix_s"]),
        width=width,
        height=height,
        image=image,
        landmarks=_unpack_array(fields["landmarks"], (NUM_LANDMARKS, 3)),
        face_box=face_box,  # type: ignore[arg-type]
        rest_head_pose=HeadPose.from_array(_unpack_array(fields["rest_head_pose"], (6,))),
        rest_blendshapes=_unpack_array(fields["rest_blendshapes"], (NUM_BLENDSHAPES,)),
        warnings=tuple(str(w) for w in fields["warnings"]),
        analysis_version=str(fields["analysis_version"]),
    )


def _decode_png(image_png: bytes, width: int, height: int) -> np.ndarray:
    with Image.open(io.BytesIO(image_png), formats=("PNG",)) as image:
        if image.size != (width, height) or image.mode != "RGB":
            raise DamagedRecordError("image does not match its record")
        return np.asarray(image, dtype=np.uint8).copy()


def _pack_array(values: np.ndarray) -> dict[str, Any]:
    array = np.ascontiguousarray(values, dtype=np.float32)
    return {"dtype": "float32", "shape": list(array.shape), "data": array.tobytes()}


def _unpack_array(packed: Any, shape: tuple[int, ...]) -> np.ndarray:
    if packed["dtype"] != "float32" or tuple(packed["shape"]) != shape:
        raise DamagedRecordError(f"array is not float32 {shape}")
    array = np.frombuffer(packed["data"], dtype=np.float32).reshape(shape).copy()
    if not np.isfinite(array).all():
        raise DamagedRecordError("array holds non-finite values")
    return array
