"""`facecast serve`: run the gRPC server until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import fields

import structlog

from runtime.errors import FacecastError
from service.log import configure_logging
from service.settings import LOG_FORMATS, LOG_LEVELS, ServerSettings, resolve_settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve", help="run the gRPC server",
        description="Run the Facecast gRPC server. Every flag can also be set as FACECAST_<FLAG> "
                    "(e.g. FACECAST_PORT=50052); a flag wins over the environment.")
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1; 0.0.0.0 for remote clients)")
    parser.add_argument("--port", type=int, help="port (default 50051; 0 picks a free one)")
    parser.add_argument("--max-message-bytes", type=int, help="largest message in or out (default 4 MiB)")
    parser.add_argument("--max-audio-chunk-s", type=float, help="longest audio per AudioChunk (default 10 s)")
    parser.add_argument("--grace-s", type=float, help="drain time for running streams on SIGTERM (default 10 s)")
    parser.add_argument("--workers", type=int, help="computation threads (default: the CPU count)")
    parser.add_argument("--avatar-dir", help="where avatars are stored (default: the user cache dir)")
    parser.add_argument("--log-format", choices=LOG_FORMATS, help="console (default) or json")
    parser.add_argument("--log-level", choices=LOG_LEVELS, help="default info")
    limits = parser.add_argument_group("limits (see README, Operations)")
    limits.add_argument("--max-sessions", type=int, help="concurrent streams; beyond: RESOURCE_EXHAUSTED (default 64)")
    limits.add_argument("--max-session-s", type=float, help="longest stream, wall clock (default 3600 s)")
    limits.add_argument("--idle-timeout-s", type=float, help="longest wait for a stream's next request (default 120 s)")
    limits.add_argument("--max-image-bytes", type=int, help="largest CreateAvatar image (default 4 MiB)")
    limits.add_argument("--max-image-pixels", type=int, help="largest portrait in pixels (default 40 M)")
    limits.add_argument("--max-avatars", type=int, help="avatars kept on disk, least recently used evicted (1000)")
    limits.add_argument("--keepalive-min-ping-interval-s", type=float,
                        help="clients may ping this often (default 20 s: 30 s game-client pings are welcome)")
    limits.add_argument("--keepalive-time-s", type=float, help="server pings to find dead peers (default 60 s)")
    limits.add_argument("--keepalive-timeout-s", type=float, help="unanswered ping drops the peer (default 20 s)")
    security = parser.add_argument_group("security (see SECURITY.md)")
    security.add_argument("--api-keys-file", help="accepted API keys, one per line, re-read when it changes; "
                          "FACECAST_API_KEYS=k1,k2 adds keys (no flag: command lines are visible in ps)")
    security.add_argument("--tls-cert-file", help="PEM certificate chain: serve TLS (with --tls-key-file)")
    security.add_argument("--tls-key-file", help="PEM private key")
    security.add_argument("--tls-client-ca-file", help="PEM CA bundle: require client certificates (mutual TLS)")
    parser.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port (default 0: off)")
    parser.add_argument("--processes", type=int, help="server processes sharing the port (SO_REUSEPORT; default 1); "
                        "process i serves metrics on --metrics-port + i")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = resolve_settings(vars(args))
    configure_logging(settings.log_format, settings.log_level)
    structlog.contextvars.bind_contextvars(pid=os.getpid())  # which process, when several serve one port
    if settings.processes > 1:
        from service.supervisor import run_processes

        return run_processes(settings, _flags_again(args))
    from service.server import serve  # imported here: the server pulls in torch and MediaPipe

    try:
        asyncio.run(serve(settings))
    except RuntimeError as error:  # grpc raises RuntimeError when the port cannot be bound
        raise FacecastError(f"cannot serve on {settings.host}:{settings.port}: {error}") from None
    return 0


def _flags_again(args: argparse.Namespace) -> list[str]:
    """The flags given to this command, for its child processes (which also inherit the environment)."""
    flags = []
    for name in fields(ServerSettings):
        value = getattr(args, name.name, None)
        if value is not None and name.name not in ("processes", "metrics_port"):
            flags += [f"--{name.name.replace('_', '-')}", str(value)]
    return flags
