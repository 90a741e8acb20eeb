"""Typed errors of portrait analysis; the service maps InvalidImageError (and so its subclasses) to
INVALID_ARGUMENT. Kept here rather than in runtime/errors.py so the face package stays self-contained."""

from __future__ import annotations

from runtime.errors import FacecastError


class InvalidImageError(FacecastError, ValueError):
    """Bytes that are not a usable portrait: not an image, too many pixels, a face too small."""


class NoFaceError(InvalidImageError):
    """A readable image in which no face was found."""


class FaceTooSmallError(InvalidImageError):
    """A face was found but has too few pixels to animate."""


class FaceModelMissingError(FacecastError):
    """The FaceLandmarker model file is not installed or is not the expected file."""
