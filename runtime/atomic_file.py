"""Atomic file writes: readers see the old file or the whole new one, never a partial file.

`publish_once` is the multi-writer form, for stores that several processes or machines share (a
ReadWriteMany volume): the first writer of a path wins and every later one learns it, so all of them
then read the same file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from runtime.errors import InvalidConfigError

FILE_MODE = 0o644  # mkstemp makes files private; ours are ordinary data
# What link(2) answers on filesystems without hard links (FAT, some FUSE and SMB mounts).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS})


def check_output_directory(path: str | os.PathLike[str]) -> None:
    """InvalidConfigError unless the directory a command's output goes into exists. The writers here make
    missing directories (the stores need theirs), but a command's output in one that does not exist is
    most likely a typo: said at once, not made silently (bake did) nor after the work (render wrote its
    video for minutes, then failed with a traceback)."""
    directory = Path(path).parent
    if not directory.is_dir():
        raise InvalidConfigError(f"{directory}: no such directory")


def write_atomically(path: str | os.PathLike[str], payload: bytes) -> None:
    """Writes `payload` to a temp file beside `path`, syncs it, then renames it over `path`."""
    target = Path(path)
    temporary = _synced_temp_file(target, payload)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def publish_once(path: str | os.PathLike[str], payload: bytes) -> bool:
    """Writes `payload` to `path` atomically unless `path` exists; True if this call wrote it.

    The synced temp file is hard-linked to `path`: link(2) never replaces, and is atomic on local
    filesystems and over NFS, so of racing writers exactly one wins. Where the filesystem has no
    hard links it falls back to an existence check and a rename (racing writers: the last one wins)."""
    target = Path(path)
    temporary = _synced_temp_file(target, payload)
    try:
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if target.exists():
            return False
        os.replace(temporary, target)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _synced_temp_file(target: Path, payload: bytes) -> Path:
    """A temp file beside `target` holding `payload`, flushed to disk; removed again if that fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, FILE_MODE)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
