"""`HOST:PORT` flags (`--to` of the UDP bridges, `--server` of the gRPC clients): parsed once,
before any work, so a typo is one line naming the flag rather than a failure after the model has
loaded or a connection attempt to a port nobody meant."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.errors import InvalidConfigError


@dataclass(frozen=True)
class HostPort:
    host: str  # a name or an address; an IPv6 address without its brackets
    port: int
    flag: str = "--to"  # the flag it came from, named by every error

    def __post_init__(self) -> None:
        if not self.host:
            raise InvalidConfigError(f"{self.flag} needs a host, as HOST:PORT")
        if not 1 <= self.port <= 65535:
            raise InvalidConfigError(f"{self.flag} port must be within [1, 65535], got {self.port}")

    @classmethod
    def parse(cls, text: str, flag: str) -> HostPort:
        """`host:port`, `[v6 address]:port`; InvalidConfigError naming `flag` for anything else."""
        host, separator, port = text.rpartition(":")
        if not separator or not port.isdigit():
            raise InvalidConfigError(f"{flag} must be HOST:PORT, got {text!r}")
        return cls(host.removeprefix("[").removesuffix("]"), int(port), flag)

    def __str__(self) -> str:
        """As gRPC and people write it: an IPv6 address in brackets."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
