"""Server TLS credentials from PEM files: TLS, or mutual TLS when a client CA bundle is given. The
files are checked at each new connection and re-read when they change, so certificates rotate
without a restart (running connections keep the certificate they started with)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import grpc

from runtime.errors import InvalidConfigError
from service.log import get_logger
from service.settings import ServerSettings

log = get_logger("facecast.tls")


class CertificateFiles:
    """The server's certificate chain, key and (optional) client CA, as a gRPC certificate
    configuration that follows the files."""

    def __init__(self, settings: ServerSettings) -> None:
        self._paths = tuple(Path(path) for path in (settings.tls_key_file, settings.tls_cert_file,
                                                    settings.tls_client_ca_file) if path)
        self._lock = threading.Lock()
        self._stamps = self._stat()
        self.initial = self._configuration()  # at start, a missing or bad file is an error

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """Called by gRPC before each TLS handshake: a new configuration when a file changed, else None."""
        with self._lock:
            try:
                stamps = self._stat()
                if stamps == self._stamps:
                    return None
                configuration = self._configuration()
            except (OSError, InvalidConfigError) as error:
                log.error("tls_files_unreadable", error=str(error))  # keep serving the previous ones
                return None
            self._stamps = stamps
            log.info("tls_files_reloaded", files=[str(path) for path in self._paths])
            return configuration

    def _stat(self) -> tuple[tuple[int, int], ...]:
        return tuple((stat.st_mtime_ns, stat.st_size) for stat in map(os.stat, self._paths))

    def _configuration(self) -> grpc.ServerCertificateConfiguration:
        key, chain, *client_ca = (_read(path) for path in self._paths)
        return grpc.ssl_server_certificate_configuration([(key, chain)], root_certificates=client_ca[0]
                                                         if client_ca else None)


def server_credentials(settings: ServerSettings) -> grpc.ServerCredentials:
    files = CertificateFiles(settings)
    return grpc.dynamic_ssl_server_credentials(files.initial, files.fetch,
                                               require_client_authentication=bool(settings.tls_client_ca_file))


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidConfigError(f"cannot read {path}: {error.strerror}") from None
    if b"-----BEGIN " not in data:
        raise InvalidConfigError(f"{path} is not a PEM file")
    return data
