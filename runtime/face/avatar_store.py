"""AvatarStore: avatars on disk, content-addressed, surviving restarts, shareable by many servers.

Each avatar is `<id>.png` (the decoded RGB portrait) and `<id>.msgpack` (everything else), both
written atomically, the msgpack last: a crash between the two leaves at worst an orphan image,
never a record pointing at a missing one. A record that fails to decode is logged, deleted and
treated as absent — never served.

With `max_avatars`, the store keeps at most that many: creating one more evicts the least recently
used (a record's mtime is its last use: `get`, as a session start does, touches it; the order
survives restarts).

Many writers — server processes on one machine, or pods on a ReadWriteMany volume — may share one
directory without a lock between them:
- ids are content hashes, so every writer of an id writes the same portrait; the record is
  published with `publish_once`, so the first create wins and later ones return the stored avatar
  (its name and creation time) like an idempotent create on one server;
- files appear whole (temp file + link or rename) and are never rewritten in place, so no reader
  sees a torn one; a record whose image another node is deleting reads as absent, not damaged;
- removal is idempotent, so nodes that evict or delete the same avatar at once agree;
- a session holds its Avatar in memory from its start: an eviction or delete on another node ends
  no running session, it only makes the next start NOT_FOUND.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from runtime.atomic_file import publish_once, write_atomically
from runtime.errors import AvatarNotFoundError
from runtime.face.analysis import AnalysisOptions, PortraitAnalysis, analyse_portrait
from runtime.face.avatar import Avatar, avatar_id_for
from runtime.face.avatar_record import DamagedRecordError, decode_record, encode_image, encode_record
from runtime.face.landmarker import FaceLandmarker

log = logging.getLogger(__name__)

_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
RECORD_SUFFIX = ".msgpack"
IMAGE_SUFFIX = ".png"
# A temp file, or half an avatar, older than this is left by a crash, not another writer mid-write.
STALE_TEMP_FILE_S = 600.0


@dataclass(frozen=True)
class _Cached:
    """An avatar loaded from disk, and the identity of the record it came from."""

    avatar: Avatar
    identity: tuple[int, int] | None


def default_avatar_directory() -> Path:
    """`<user cache dir>/facecast/avatars`, resolved when asked (never at import)."""
    return Path(platformdirs.user_cache_dir("facecast")) / "avatars"


class AvatarStore:
    """Thread-safe. Analysis runs outside the record lock so reads are never blocked behind it."""

    def __init__(self, directory: str | Path | None = None, options: AnalysisOptions | None = None,
                 max_avatars: int | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_avatar_directory()
        self.max_avatars = max_avatars
        self.directory.mkdir(parents=True, exist_ok=True)
        self._options = options or AnalysisOptions()
        self._lock = threading.Lock()  # records and the cache
        self._analysis_lock = threading.Lock()  # the landmarker is not thread-safe
        self._landmarker: FaceLandmarker | None = None
        self._cache: dict[str, _Cached] = {}
        self._remove_crash_leftovers()

    def __enter__(self) -> AvatarStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._analysis_lock:
            if self._landmarker is not None:
                self._landmarker.close()
                self._landmarker = None

    def create(self, image_bytes: bytes, display_name: str = "") -> tuple[Avatar, tuple[str, ...]]:
        """Analyses and stores a portrait; the same image again returns the stored avatar unchanged.
        Raises InvalidImageError (and subclasses) for unusable images."""
        avatar_id = avatar_id_for(bytes(image_bytes))
        with self._lock:
            existing = self._load(avatar_id)
        if existing is not None:
            return existing, existing.warnings
        analysis = self._analyse(bytes(image_bytes))
        avatar = Avatar.from_analysis(avatar_id, display_name, time.time(), analysis)
        with self._lock:
            # Every writer of this id writes the same image, so replacing it is harmless; the record
            # is published once, and a writer that lost the race serves the winner's avatar.
            write_atomically(self._image_path(avatar_id), encode_image(avatar.image))
            if publish_once(self._record_path(avatar_id), encode_record(avatar)):
                self._cache[avatar_id] = _Cached(avatar, self._record_identity(avatar_id))
                self._evict_least_recently_used(keep=avatar_id)
                return avatar, avatar.warnings
            # None: another node deleted it since; our create came first, so ours is the answer.
            stored = self._load(avatar_id) or avatar
        return stored, stored.warnings

    def get(self, avatar_id: str) -> Avatar:
        with self._lock:
            avatar = self._load(avatar_id) if _ID_PATTERN.fullmatch(avatar_id) else None
            if avatar is not None:
                self._touch(avatar_id)
        if avatar is None:
            raise AvatarNotFoundError(f"no avatar with id {avatar_id!r}")
        return avatar

    def list(self) -> list[Avatar]:
        """Every stored avatar, oldest first."""
        with self._lock:
            ids = sorted(path.stem for path in self.directory.glob(f"*{RECORD_SUFFIX}"))
            avatars = [avatar for avatar in map(self._load, ids) if avatar is not None]
        return sorted(avatars, key=lambda avatar: (avatar.created_unix_s, avatar.avatar_id))

    def delete(self, avatar_id: str) -> None:
        """Raises AvatarNotFoundError if there is no such avatar."""
        with self._lock:
            if not _ID_PATTERN.fullmatch(avatar_id) or not self._record_path(avatar_id).exists():
                raise AvatarNotFoundError(f"no avatar with id {avatar_id!r}")
            self._remove(avatar_id)

    def _analyse(self, image_bytes: bytes) -> PortraitAnalysis:
        with self._analysis_lock:
            if self._landmarker is None:
                self._landmarker = FaceLandmarker(self._options.max_faces)
            return analyse_portrait(image_bytes, self._options, landmarker=self._landmarker)

    def _load(self, avatar_id: str) -> Avatar | None:
        """The avatar, or None if absent or damaged (then removed). Call with the lock held."""
        identity = self._record_identity(avatar_id)
        cached = self._cache.pop(avatar_id, None)
        if identity is None:
            return None
        if cached is not None and cached.identity == identity:  # not deleted and created again meanwhile
            self._cache[avatar_id] = cached
            return cached.avatar
        try:
            payload = self._record_path(avatar_id).read_bytes()
            image_png = self._image_path(avatar_id).read_bytes()
        except FileNotFoundError:
            return None  # another node is deleting it (the record goes first, the image next)
        try:
            avatar = decode_record(payload, image_png, avatar_id)
        except (OSError, DamagedRecordError) as error:
            log.warning("dropping damaged avatar record %s: %s", avatar_id, error)
            self._remove(avatar_id)
            return None
        self._cache[avatar_id] = _Cached(avatar, identity)
        return avatar

    def _record_identity(self, avatar_id: str) -> tuple[int, int] | None:
        """(inode, size) of the record, None if there is none: a record is never rewritten in place,
        so another identity means it was deleted and created again."""
        try:
            status = self._record_path(avatar_id).stat()
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_size

    def _remove(self, avatar_id: str) -> None:
        self._cache.pop(avatar_id, None)
        self._record_path(avatar_id).unlink(missing_ok=True)  # the record first: never a dangling one
        self._image_path(avatar_id).unlink(missing_ok=True)

    def _touch(self, avatar_id: str) -> None:
        """Marks a use (the record's mtime); the store's LRU order."""
        try:
            os.utime(self._record_path(avatar_id))
        except FileNotFoundError:
            pass  # removed meanwhile by another store on the same directory

    def _evict_least_recently_used(self, keep: str) -> None:
        """Removes the least recently used avatars beyond max_avatars, never `keep`. Lock held."""
        if self.max_avatars is None:
            return
        records = []
        for path in self.directory.glob(f"*{RECORD_SUFFIX}"):
            try:
                records.append((path.stat().st_mtime_ns, path.stem))
            except FileNotFoundError:
                continue
        excess = max(len(records) - self.max_avatars, 0)
        for _, avatar_id in [record for record in sorted(records) if record[1] != keep][:excess]:
            self._remove(avatar_id)
            log.info("evicted least recently used avatar %s (max_avatars=%d)", avatar_id, self.max_avatars)

    def _remove_crash_leftovers(self) -> None:
        """Temp files of crashed writes, and half avatars: an image without its record (a crash
        between the two writes or the two removals) or a record without its image (a delete that
        raced a create). Only old ones: a young one may be another writer mid-write."""
        cutoff = time.time() - STALE_TEMP_FILE_S
        records = {path.stem for path in self.directory.glob(f"*{RECORD_SUFFIX}")}
        images = {path.stem for path in self.directory.glob(f"*{IMAGE_SUFFIX}")}
        leftovers = [*self.directory.glob(".*.tmp"),
                     *(self._image_path(avatar_id) for avatar_id in images - records),
                     *(self._record_path(avatar_id) for avatar_id in records - images)]
        for leftover in leftovers:
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except FileNotFoundError:
                pass  # another store cleaned it first

    def _record_path(self, avatar_id: str) -> Path:
        return self.directory / f"{avatar_id}{RECORD_SUFFIX}"

    def _image_path(self, avatar_id: str) -> Path:
        return self.directory / f"{avatar_id}{IMAGE_SUFFIX}"
