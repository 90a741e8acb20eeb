"""API-key authentication for every call except health checks: `authorization: Bearer <key>`
metadata, UNAUTHENTICATED otherwise. A server interceptor, so no servicer can forget it."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import grpc

from service.api_keys import ApiKeys
from service.errors import StreamError, abort_with
from service.log import get_logger
from service.metrics import Metrics

log = get_logger("facecast.auth")
# Load balancers and orchestrators probe health without credentials.
OPEN_PREFIXES = ("/grpc.health.v1.Health/",)
BEARER = "bearer "


class ApiKeyInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, keys: ApiKeys, metrics: Metrics) -> None:
        self._keys = keys
        self._metrics = metrics

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable],
                                details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or details.method.startswith(OPEN_PREFIXES):
            return handler
        problem = self._problem(details.invocation_metadata or ())
        if problem is None:
            return handler
        log.warning("unauthenticated_call", method=details.method, reason=problem)
        return _refusal(handler, StreamError(grpc.StatusCode.UNAUTHENTICATED, problem), self._metrics, details.method)

    def _problem(self, metadata) -> str | None:
        """Why the call is refused, or None when its key is accepted."""
        key = bearer_key(metadata)
        if key is None:
            return "missing or malformed authorization metadata (expected 'Bearer <API key>')"
        return None if self._keys.accepts(key) else "API key not accepted"


def bearer_key(metadata) -> str | None:
    """The key of the one `authorization: Bearer <key>` entry in `metadata`, else None."""
    values = [value for key, value in metadata or () if key == "authorization"]
    if len(values) != 1:
        return None
    value = values[0] if isinstance(values[0], str) else values[0].decode("latin-1")
    return value[len(BEARER):].strip() if value.lower().startswith(BEARER) else None


def key_fingerprint(metadata) -> str | None:
    """A short, non-secret name for the call's API key (its SHA-256 prefix), for logs: which
    client did what, without the key itself."""
    key = bearer_key(metadata)
    return None if key is None else hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _refusal(handler: grpc.RpcMethodHandler, refusal: StreamError, metrics: Metrics,
             method: str) -> grpc.RpcMethodHandler:
    """A handler of the same streaming shape as `handler` that ends the call with `refusal`."""

    async def refuse(request_or_iterator, context: grpc.aio.ServicerContext):
        unread = request_or_iterator if handler.request_streaming else None
        await abort_with(context, refusal, metrics, method, unread_requests=unread)

    async def refuse_streaming(request_or_iterator, context: grpc.aio.ServicerContext):
        await refuse(request_or_iterator, context)
        yield  # pragma: no cover - makes this an async generator, as streaming handlers are

    shapes = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }
    make = shapes[(handler.request_streaming, handler.response_streaming)]
    behaviour = refuse_streaming if handler.response_streaming else refuse
    return make(behaviour, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
