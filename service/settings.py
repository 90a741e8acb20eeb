"""Server settings from command-line flags, then FACECAST_* environment variables, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields

from runtime.errors import InvalidConfigError

ENV_PREFIX = "FACECAST_"
LOG_FORMATS = ("console", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"  # interface to bind; "0.0.0.0" or "[::]" to accept remote clients
    port: int = 50051  # 0 picks a free port
    max_message_bytes: int = 4 * 1024 * 1024  # largest request or response message
    max_audio_chunk_s: float = 10.0  # longest audio one AudioChunk may carry
    grace_s: float = 10.0  # how long running streams may finish after SIGTERM/SIGINT
    workers: int = max(2, os.cpu_count() or 2)  # threads that run the sessions' computation
    avatar_dir: str = ""  # where avatars are stored; empty: the user cache dir (.../facecast/avatars)
    log_format: str = "console"  # console (for people) or json (for log pipelines)
    log_level: str = "info"
    # Limits (see README "Operations"): each one bounds what a client can make the server hold.
    max_sessions: int = 64  # concurrent Animate streams; beyond: RESOURCE_EXHAUSTED (2 cores hold ~64 latents)
    max_session_s: float = 3600.0  # wall-clock length of one stream; beyond: RESOURCE_EXHAUSTED
    idle_timeout_s: float = 120.0  # longest wait for the next request of a stream; beyond: DEADLINE_EXCEEDED
    max_image_bytes: int = 4 * 1024 * 1024  # one CreateAvatar image (max_message_bytes bounds it too)
    max_image_pixels: int = 40_000_000  # decoded portrait size, checked from the header before decoding
    max_avatars: int = 1000  # avatars kept on disk; creating one more evicts the least recently used
    keepalive_min_ping_interval_s: float = 20.0  # clients may ping this often (game clients ping every ~30 s)
    keepalive_time_s: float = 60.0  # the server pings idle connections this often to find dead peers
    keepalive_timeout_s: float = 20.0  # ...and drops a connection whose ping goes unanswered this long
    # Security (see SECURITY.md): both off by default, for a loopback-only development server.
    api_keys_file: str = ""  # one key per line (# comments); re-read when it changes; empty: no file
    # Comma-separated keys (FACECAST_API_KEYS only: a flag would show in `ps`); kept out of repr() and logs.
    api_keys: str = field(default="", repr=False)
    tls_cert_file: str = ""  # PEM certificate chain; with tls_key_file turns TLS on
    tls_key_file: str = ""  # PEM private key
    tls_client_ca_file: str = ""  # PEM CA bundle; set: clients must present a certificate it signed (mTLS)
    metrics_port: int = 0  # Prometheus /metrics on host:metrics_port (process i of N: + i); 0: off
    # Scaling: one Python process saturates about one core's worth of sessions; N processes share
    # the port through SO_REUSEPORT (the kernel spreads connections over them).
    processes: int = 1
    reuse_port: int = 0  # set by `--processes` for its children (FACECAST_REUSE_PORT only): share the port

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise InvalidConfigError(f"port must be within [0, 65535], got {self.port}")
        if self.max_message_bytes < 64 * 1024:
            raise InvalidConfigError(f"max_message_bytes must be at least 65536, got {self.max_message_bytes}")
        if not 0.02 <= self.max_audio_chunk_s <= 600:
            raise InvalidConfigError(f"max_audio_chunk_s must be within [0.02, 600], got {self.max_audio_chunk_s}")
        if self.grace_s < 0 or self.workers < 1:
            raise InvalidConfigError("grace_s must be >= 0 and workers >= 1")
        if self.log_format not in LOG_FORMATS:
            raise InvalidConfigError(f"log_format must be one of {', '.join(LOG_FORMATS)}, got {self.log_format!r}")
        if self.log_level not in LOG_LEVELS:
            raise InvalidConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}")
        self._check_limits()
        self._check_scaling()
        self._check_security()

    def _check_limits(self) -> None:
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                raise InvalidConfigError(f"{name} must be within [{low:g}, {high:g}], got {value:g}")

    def _check_scaling(self) -> None:
        if self.processes > 1 and self.port == 0:
            raise InvalidConfigError("processes > 1 needs a fixed port: every process binds the same one")

    def _check_security(self) -> None:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise InvalidConfigError("TLS needs both tls_cert_file and tls_key_file")
        if self.tls_client_ca_file and not self.tls_cert_file:
            raise InvalidConfigError("tls_client_ca_file (mutual TLS) needs tls_cert_file and tls_key_file")

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert_file)


# Limits with their accepted ranges: wide enough for any deployment, narrow enough to catch typos.
_RANGES: tuple[tuple[str, float, float], ...] = (
    ("max_sessions", 1, 100_000),
    ("max_session_s", 1.0, 7 * 24 * 3600.0),
    ("idle_timeout_s", 0.5, 24 * 3600.0),
    ("max_image_bytes", 1024, 1 << 30),
    ("max_image_pixels", 4096, 80_000_000),  # Pillow refuses images over 2x its 40 MP bomb limit
    ("max_avatars", 1, 10_000_000),
    ("keepalive_min_ping_interval_s", 1.0, 3600.0),
    ("keepalive_time_s", 1.0, 24 * 3600.0),
    ("keepalive_timeout_s", 1.0, 3600.0),
    ("metrics_port", 0, 65535),
    ("processes", 1, 256),
    ("reuse_port", 0, 1),
)


def resolve_settings(flags: Mapping[str, object], environ: Mapping[str, str] = os.environ) -> ServerSettings:
    """Each field: the flag if given (not None), else FACECAST_<FIELD>, else the default."""
    values = {}
    for spec in fields(ServerSettings):
        flag = flags.get(spec.name)
        if flag is not None:
            values[spec.name] = flag
            continue
        raw = environ.get(ENV_PREFIX + spec.name.upper())
        if raw is not None:
            values[spec.name] = _parse(spec.name, raw, type(spec.default) if spec.default is not MISSING else str)
    return ServerSettings(**values)


def _parse(name: str, raw: str, kind: type) -> object:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidConfigError(f"{ENV_PREFIX}{name.upper()} must be a {kind.__name__}, got {raw!r}") from None
