"""The API keys a server accepts: from FACECAST_API_KEYS and from a file that is re-read when it
changes, so keys rotate without a restart. Keys are kept only as SHA-256 digests and compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import InvalidConfigError
from service.log import get_logger

log = get_logger("facecast.auth")
MIN_KEY_CHARS = 16  # shorter keys are guessable; refuse them rather than run weakly


@dataclass(frozen=True)
class _FileState:
    mtime_ns: int
    size: int
    digests: tuple[bytes, ...]


class ApiKeys:
    """`accepts(key)` is thread-safe; the file is stat'ed on each check (one syscall per call, not per
    message) and re-read only when its mtime or size changed."""

    def __init__(self, keys_file: str = "", inline_keys: str = "") -> None:
        self._path = Path(keys_file) if keys_file else None
        self._inline = tuple(_digest(key) for key in _parse(inline_keys.replace(",", "\n"), "FACECAST_API_KEYS"))
        self._lock = threading.Lock()
        self._file = _FileState(-1, -1, ())
        if self._path is not None:
            self._file = _read(self._path)  # at start a missing or bad file is an error, not an open door

    @property
    def enabled(self) -> bool:
        return self._path is not None or bool(self._inline)

    def accepts(self, key: str) -> bool:
        presented = _digest(key)
        accepted = False
        for digest in (*self._inline, *self._file_digests()):  # no early exit: timing says nothing
            accepted |= hmac.compare_digest(presented, digest)
        return accepted

    def _file_digests(self) -> tuple[bytes, ...]:
        if self._path is None:
            return ()
        with self._lock:
            try:
                stat = os.stat(self._path)
                if (stat.st_mtime_ns, stat.st_size) != (self._file.mtime_ns, self._file.size):
                    self._file = _read(self._path)
                    log.info("api_keys_reloaded", path=str(self._path), keys=len(self._file.digests))
            except (OSError, InvalidConfigError) as error:
                # Fail closed: a key file that vanished or went bad accepts nobody until it is fixed.
                if self._file.digests:
                    log.error("api_keys_unreadable", path=str(self._path), error=str(error))
                self._file = _FileState(-1, -1, ())
            return self._file.digests


def _read(path: Path) -> _FileState:
    try:
        stat = os.stat(path)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidConfigError(f"cannot read the API keys file {path}: {error}") from None
    return _FileState(stat.st_mtime_ns, stat.st_size, tuple(_digest(key) for key in _parse(text, str(path))))


def _parse(text: str, source: str) -> list[str]:
    keys = [line.strip() for line in text.splitlines()]
    keys = [key for key in keys if key and not key.startswith("#")]
    for key in keys:
        if len(key) < MIN_KEY_CHARS or any(char.isspace() for char in key):
            raise InvalidConfigError(f"{source}: API keys need at least {MIN_KEY_CHARS} characters and no spaces")
    return keys


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
