"""Errors at the service boundary and their gRPC status codes, decided in one place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.protobuf.message import DecodeError

from runtime.errors import (
    AvatarNotFoundError,
    FacecastError,
    InvalidAudioError,
    InvalidConfigError,
    LimitExceededError,
    OutOfOrderError,
    UnsupportedFeatureError,
)
from runtime.face.errors import FaceModelMissingError, InvalidImageError


class StreamError(Exception):
    """A protocol violation found by the service itself, with the status code to end the call."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


_CODES: tuple[tuple[type[Exception], grpc.StatusCode], ...] = (
    (InvalidConfigError, grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidAudioError, grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidImageError, grpc.StatusCode.INVALID_ARGUMENT),  # not an image, no face, too many pixels
    (OutOfOrderError, grpc.StatusCode.FAILED_PRECONDITION),
    (AvatarNotFoundError, grpc.StatusCode.NOT_FOUND),
    (LimitExceededError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (UnsupportedFeatureError, grpc.StatusCode.UNIMPLEMENTED),
    (FaceModelMissingError, grpc.StatusCode.INTERNAL),  # the server's install, not the client's request
)


def malformed_message(method: str) -> str:
    return f"a request to {method.rsplit('/', 1)[-1]} is not a valid protobuf message of its type"


def status_for(error: Exception) -> tuple[grpc.StatusCode, str]:
    """The status code and message a client sees for `error`; never internals for unknown ones."""
    if isinstance(error, StreamError):
        return error.code, str(error)
    if isinstance(error, DecodeError):  # a streamed request's bytes did not parse
        return grpc.StatusCode.INVALID_ARGUMENT, malformed_message("Animate")
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code, str(error)
    if isinstance(error, FacecastError):
        return grpc.StatusCode.INVALID_ARGUMENT, str(error)
    return grpc.StatusCode.INTERNAL, "internal error; the server log has the details"


# How long a refused stream's first request is awaited (see `refuse_stream`).
FIRST_REQUEST_WAIT_S = 1.0


async def refuse_stream(requests: AsyncIterator, context, code: grpc.StatusCode, message: str) -> None:
    """Ends a client-streaming call before its session starts. The first request is read (briefly)
    before the status goes out: grpc.aio clients whose first write lands after the call ended
    report "INTERNAL: Internal error from Core" instead of our status (grpc/grpc#36066)."""
    try:
        async with asyncio.timeout(FIRST_REQUEST_WAIT_S):
            await anext(aiter(requests), None)
    except Exception:  # noqa: BLE001 - whatever the first request is or does, the answer is the same
        pass
    await context.abort(code, message)
