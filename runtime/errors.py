"""Typed errors of the runtime. The service maps each to one gRPC status code (service/errors.py);
the CLI prints its message as one line."""

from __future__ import annotations


class FacecastError(Exception):
    """Base of every error the runtime raises on purpose; its message is meant for the user."""


class InvalidConfigError(FacecastError, ValueError):
    """A session or command option is out of range or inconsistent."""


class InvalidAudioError(FacecastError, ValueError):
    """Audio that cannot be decoded: wrong byte count, NaN, unreadable file, no audio stream."""


class OutOfOrderError(FacecastError):
    """A request that is valid, but not now: audio after the end of audio, audio before a session's
    configuration, a second configuration."""


class LimitExceededError(FacecastError):
    """More than a configured limit allows: audio in one chunk, bytes in an image, a session's
    length, sessions at once. Every size and capacity limit raises this one type."""


class AvatarNotFoundError(FacecastError, LookupError):
    """No avatar with the requested id exists."""


class UnsupportedFeatureError(FacecastError):
    """A request for something this build cannot do yet (e.g. rendered frames without a renderer)."""
