"""Errors at the service boundary and their gRPC status codes, decided in one place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import NoReturn

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
from service.metrics import Metrics


class StreamError(Exception):
    """An end the service itself decides, with its status code, for what has no runtime error
    type: a draining server (UNAVAILABLE), an idle stream (DEADLINE_EXCEEDED), a missing key
    (UNAUTHENTICATED), bytes that are not a message (INVALID_ARGUMENT)."""

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


# How long a refused stream's first request is awaited (see `abort_with`).
FIRST_REQUEST_WAIT_S = 1.0


async def abort_with(context: grpc.aio.ServicerContext, error: Exception, metrics: Metrics, method: str, *,
                     unread_requests: AsyncIterator | None = None) -> NoReturn:
    """The one way a call ends with an error status: `error`'s code and message (`status_for`),
    counted in facecast_errors_total{method, code}, then the call aborted.

    `unread_requests`: a client stream refused before its first request was read (capacity, API
    key). That request is awaited briefly first: grpc.aio clients whose first write lands after
    the call ended report "INTERNAL: Internal error from Core" instead of our status (grpc/grpc#36066)."""
    code, message = status_for(error)
    metrics.count_error(method, code)
    if unread_requests is not None:
        await _first_request(unread_requests)
    await context.abort(code, message)


async def _first_request(requests: AsyncIterator) -> None:
    try:
        async with asyncio.timeout(FIRST_REQUEST_WAIT_S):
            await anext(aiter(requests), None)
    except Exception:  # noqa: BLE001 - whatever the first request is or does, the answer is the same
        pass
