"""Server TLS credentials from PEM files: TLS, or mutual TLS when a client CA bundle is given."""

from __future__ import annotations

from pathlib import Path

import grpc

from runtime.errors import InvalidConfigError
from service.settings import ServerSettings


def server_credentials(settings: ServerSettings) -> grpc.ServerCredentials:
    key, chain = _read(settings.tls_key_file), _read(settings.tls_cert_file)
    client_ca = _read(settings.tls_client_ca_file) if settings.tls_client_ca_file else None
    return grpc.ssl_server_credentials([(key, chain)], root_certificates=client_ca,
                                       require_client_auth=client_ca is not None)


def _read(path: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidConfigError(f"cannot read {path}: {error.strerror}") from None
    if b"-----BEGIN " not in data:
        raise InvalidConfigError(f"{path} is not a PEM file")
    return data
