"""Requests whose bytes are not the message they claim to be end INVALID_ARGUMENT with one line.

gRPC decodes a request before any handler runs and answers a decoding failure with UNKNOWN and the
parser's text. For unary calls this interceptor decodes safely and aborts INVALID_ARGUMENT itself;
streamed requests are decoded as they are read, inside the handler, where `status_for` maps the
DecodeError."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
from google.protobuf.message import DecodeError

from service.errors import StreamError, abort_with, malformed_message
from service.metrics import Metrics


class _Malformed:
    """What the safe decoder returns for bytes that do not parse."""


class MalformedRequestInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable],
                                details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or handler.request_streaming or handler.request_deserializer is None:
            return handler
        method = details.method
        if handler.response_streaming:
            return grpc.unary_stream_rpc_method_handler(
                self._guarded_stream(handler.unary_stream, method), request_deserializer=_safe(handler),
                response_serializer=handler.response_serializer)
        return grpc.unary_unary_rpc_method_handler(
            self._guarded(handler.unary_unary, method), request_deserializer=_safe(handler),
            response_serializer=handler.response_serializer)

    def _guarded(self, behaviour, method: str):
        async def guarded(request, context: grpc.aio.ServicerContext):
            if isinstance(request, _Malformed):
                await self._refuse(context, method)
            return await behaviour(request, context)
        return guarded

    def _guarded_stream(self, behaviour, method: str):
        async def guarded(request, context: grpc.aio.ServicerContext):
            if isinstance(request, _Malformed):
                await self._refuse(context, method)
            async for response in behaviour(request, context):
                yield response
        return guarded

    async def _refuse(self, context: grpc.aio.ServicerContext, method: str) -> None:
        malformed = StreamError(grpc.StatusCode.INVALID_ARGUMENT, malformed_message(method))
        await abort_with(context, malformed, self._metrics, method)


def _safe(handler: grpc.RpcMethodHandler) -> Callable[[bytes], object]:
    decode = handler.request_deserializer

    def deserialize(data: bytes) -> object:
        try:
            return decode(data)
        except DecodeError:
            return _Malformed()
    return deserialize
