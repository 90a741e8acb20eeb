"""Server settings from command-line flags, then FACECAST_* environment variables, then defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields

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
