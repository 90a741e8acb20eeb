"""Server settings from command-line flags, then FACECAST_* environment variables, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from runtime.errors import InvalidConfigError
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, MOUTH_MODELS, check_mouth_model
from runtime.render.device import render_device

ENV_PREFIX = "FACECAST_"
LOG_FORMATS = ("console", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
MIB = 1024 * 1024


def setting(default: object, help: str, *, group: str = "", flag: bool = True, shown: str = "",
            choices: tuple[str, ...] = (), secret: bool = False) -> Any:
    """A ServerSettings field with what `facecast serve --help` says of it: `help`, its `group`
    there, `shown` instead of the default's value where that reads better, `flag=False` for fields
    set only through the environment."""
    metadata = {"help": help, "group": group, "flag": flag, "shown": shown, "choices": choices}
    return field(default=default, repr=not secret, metadata=metadata)


LIMITS, SECURITY = "limits (see README, Operations)", "security (see SECURITY.md)"
MAX_AUTO_RENDER_PROCESSES = 8  # ~0.5 GB each


@dataclass(frozen=True)
class ServerSettings:
    """Every setting of `facecast serve`, each default named once here: the flags, their help and
    the FACECAST_* variables are derived from these fields."""

    host: str = setting("127.0.0.1", "interface to bind; 0.0.0.0 or [::] to accept remote clients")
    port: int = setting(50051, "port; 0 picks a free one")
    max_message_bytes: int = setting(4 * MIB, "largest request or response message")
    max_audio_chunk_s: float = setting(10.0, "longest audio one AudioChunk may carry")
    grace_s: float = setting(10.0, "how long running streams may finish after SIGTERM/SIGINT")
    workers: int = setting(max(2, os.cpu_count() or 2), "threads for rendering, avatar analysis and long uploads",
                           shown="the CPU count, at least 2")
    avatar_dir: str = setting("", "where avatars are stored", shown="the user cache dir, .../facecast/avatars")
    log_format: str = setting("console", "console (for people) or json (for log pipelines)", choices=LOG_FORMATS)
    log_level: str = setting("info", "least severe log records written", choices=LOG_LEVELS)
    mouth_model: str = setting(DEFAULT_MOUTH_MODEL, "lip-sync model of sessions that name none: learned-adaptive "
                               "(quiet and noisy rooms), learned (a quarter less CPU; clean speech), "
                               "learned-in-noise, baseline", choices=tuple(MOUTH_MODELS))
    # Limits (see README "Operations"): each one bounds what a client can make the server hold.
    max_sessions: int = setting(64, "concurrent Animate streams; beyond: RESOURCE_EXHAUSTED (2 cores held 128 "
                                "real-time latents streams, warm, in benchmarks.run)", group=LIMITS)
    max_session_s: float = setting(3600.0, "wall-clock length of one stream; beyond: RESOURCE_EXHAUSTED",
                                   group=LIMITS)
    idle_timeout_s: float = setting(120.0, "longest wait for a stream's next request; beyond: DEADLINE_EXCEEDED",
                                    group=LIMITS)
    max_image_bytes: int = setting(4 * MIB, "largest CreateAvatar image (--max-message-bytes bounds it too)",
                                   group=LIMITS)
    max_image_pixels: int = setting(40_000_000, "largest portrait in pixels, read from its header before decoding",
                                    group=LIMITS)
    max_avatars: int = setting(1000, "avatars kept on disk; creating one more evicts the least recently used",
                               group=LIMITS)
    keepalive_min_ping_interval_s: float = setting(20.0, "clients may ping this often (game clients ping every "
                                                   "~30 s); faster pings get GOAWAY", group=LIMITS)
    keepalive_time_s: float = setting(60.0, "the server pings idle connections this often to find dead peers",
                                      group=LIMITS)
    keepalive_timeout_s: float = setting(20.0, "...and drops a connection whose ping goes unanswered this long",
                                         group=LIMITS)
    # Security (see SECURITY.md): both off by default, for a loopback-only development server.
    api_keys_file: str = setting("", "accepted API keys, one per line (# comments), re-read when it changes; "
                                 "FACECAST_API_KEYS=k1,k2 adds keys", group=SECURITY, shown="none")
    # FACECAST_API_KEYS only: a flag would show in `ps`; kept out of repr() and logs.
    api_keys: str = setting("", "comma-separated API keys", flag=False, secret=True)
    tls_cert_file: str = setting("", "PEM certificate chain: serve TLS (with --tls-key-file)", group=SECURITY,
                                 shown="none, plaintext")
    tls_key_file: str = setting("", "PEM private key of the certificate", group=SECURITY, shown="none")
    tls_client_ca_file: str = setting("", "PEM CA bundle: clients must present a certificate it signed (mutual TLS)",
                                      group=SECURITY, shown="none")
    metrics_port: int = setting(0, "serve Prometheus /metrics on this port (process i of N: + i)", shown="0, off")
    # Scaling: one Python process saturates about one core's worth of sessions; N processes share
    # the port through SO_REUSEPORT (the kernel spreads connections over them).
    processes: int = setting(1, "server processes sharing the port (SO_REUSEPORT)")
    device: str = setting("cpu", "where frames are rendered: cpu, cuda or cuda:N (the motion engine stays on the CPU)")
    # One: a frame's ops are small, and a pool of threads per op waits on the event loop's core and on
    # any other load (measured on 2 cores: 2 rendered sessions 165 ms late at p99 with one thread, 345 ms
    # with two; on a machine busy with other work, 17 against 620 ms a frame).
    render_threads: int = setting(1, "CPU threads one render call uses; renders of different avatars run "
                                  "side by side on --workers threads")
    render_batches: int = setting(1, "batches of one avatar's frames rendered at once, each on its own "
                                  "--workers thread with --render-threads threads")
    # Worker processes hold 4 rendered sessions on 2 cores where threads of the serving process, which
    # share its GIL, held 2 (benchmarks/README.md). Each takes ~0.5 GB once it renders (torch, renderers).
    render_processes: int = setting(-1, "worker processes that render frames, each with --render-threads threads; "
                                    "-1: one per core (shared among --processes), at most 8, on the CPU; "
                                    "0: this process's threads, --render-batches at a time")
    # A worker process for the motion engine: the serving process's core is then left to the streams.
    engine_process: int = setting(0, "1: every session's motion computed in a worker process (the serving "
                                  "process only moves bytes); 0: on the serving process's event loop")
    # Set by `--processes` for its children, through the environment only.
    reuse_port: int = setting(0, "share the port with sibling processes", flag=False)

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
        check_mouth_model(self.mouth_model)
        self._check_limits()
        self._check_scaling()
        self._check_rendering()
        self._check_security()

    def _check_limits(self) -> None:
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                raise InvalidConfigError(f"{name} must be within [{low:g}, {high:g}], got {value:g}")

    def _check_scaling(self) -> None:
        if self.processes > 1 and self.port == 0:
            raise InvalidConfigError("processes > 1 needs a fixed port: every process binds the same one")

    def _check_rendering(self) -> None:
        render_device(self.device)
        if self.render_processes > 0 and self.device != "cpu":
            raise InvalidConfigError("render_processes render on the CPU; use 0 with a CUDA device")

    def _check_security(self) -> None:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise InvalidConfigError("TLS needs both tls_cert_file and tls_key_file")
        if self.tls_client_ca_file and not self.tls_cert_file:
            raise InvalidConfigError("tls_client_ca_file (mutual TLS) needs tls_cert_file and tls_key_file")

    @property
    def render_process_count(self) -> int:
        """Worker processes to render in: the setting, or with -1 one per core of this server process's
        share (at most MAX_AUTO_RENDER_PROCESSES), none on a CUDA device."""
        if self.render_processes >= 0:
            return self.render_processes
        if self.device != "cpu":
            return 0
        return min(MAX_AUTO_RENDER_PROCESSES, max(1, (os.cpu_count() or 1) // self.processes))

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
    ("render_threads", 1, 256),
    ("render_batches", 1, 256),
    ("render_processes", -1, 256),
    ("reuse_port", 0, 1),
    ("engine_process", 0, 1),
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
