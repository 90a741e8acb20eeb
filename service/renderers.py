"""Renderers shared between sessions, one per avatar, the most recently used kept.

Building one solves the avatar's thin-plate-spline basis (about a second), so sessions of the same
avatar share it; rendering only reads it."""

from __future__ import annotations

import threading
from collections import OrderedDict

from runtime.face.avatar import Avatar
from runtime.render.frame_renderer import FrameRenderer

DEFAULT_CAPACITY = 8  # avatars whose renderers stay built (~10 MB each at 512²)


class RendererCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._renderers: OrderedDict[str, FrameRenderer] = OrderedDict()
        self._lock = threading.Lock()  # builds are rare: holding it while building keeps one per avatar

    def get(self, avatar: Avatar) -> FrameRenderer:
        """The avatar's renderer, built on first use. Call off the event loop."""
        with self._lock:
            renderer = self._renderers.pop(avatar.avatar_id, None) or FrameRenderer(avatar)
            self._renderers[avatar.avatar_id] = renderer
            while len(self._renderers) > self._capacity:
                self._renderers.popitem(last=False)
            return renderer
