"""How a client reaches a secured server: TLS (optionally with its own certificate, for mutual
TLS) and an API key sent as `authorization: Bearer` metadata."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from runtime.errors import InvalidConfigError

API_KEY_VARIABLE = "FACECAST_API_KEY"  # an environment variable, never a flag: command lines show in `ps`


@dataclass(frozen=True)
class ClientSecurity:
    api_key: str = ""
    tls_ca_file: str = ""  # PEM: the CA that signed the server's certificate; set: connect with TLS
    tls_cert_file: str = ""  # PEM: this client's certificate, for mutual TLS
    tls_key_file: str = ""  # PEM: its private key

    def __post_init__(self) -> None:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise InvalidConfigError("a client certificate needs both --tls-cert-file and --tls-key-file")
        if self.tls_cert_file and not self.tls_ca_file:
            raise InvalidConfigError("a client certificate (mutual TLS) needs --tls-ca-file too")

    @classmethod
    def from_flags(cls, tls_ca_file: str | None, tls_cert_file: str | None, tls_key_file: str | None,
                   environ: Mapping[str, str] = os.environ) -> ClientSecurity:
        return cls(environ.get(API_KEY_VARIABLE, ""), tls_ca_file or "", tls_cert_file or "", tls_key_file or "")

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.api_key}"),) if self.api_key else ()

    def channel(self, address: str, options: Sequence[tuple[str, int]]) -> grpc.aio.Channel:
        if not self.tls_ca_file:
            return grpc.aio.insecure_channel(address, options=options)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=_read(self.tls_ca_file),
            private_key=_read(self.tls_key_file) if self.tls_key_file else None,
            certificate_chain=_read(self.tls_cert_file) if self.tls_cert_file else None)
        return grpc.aio.secure_channel(address, credentials, options=options)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InvalidConfigError(f"cannot read {path}: {error.strerror}") from None
