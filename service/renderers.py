"""Renderers shared between sessions, one per avatar and framing, the most recently used kept.

Building one solves the avatar's thin-plate-spline basis (about a second), so sessions of the same
avatar and framing share it; rendering only reads it."""

from __future__ import annotations

import threading
from collections import OrderedDict

from runtime.face.avatar import Avatar
from runtime.render.frame_renderer import FrameRenderer
from runtime.render.framing import DEFAULT_FRAME_OPTIONS, FrameOptions

DEFAULT_CAPACITY = 8  # renderers that stay built (~10 MB each at 512²)


class RendererCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._renderers: OrderedDict[tuple[str, FrameOptions], FrameRenderer] = OrderedDict()
        self._lock = threading.Lock()  # builds are rare: holding it while building keeps one per key

    def get(self, avatar: Avatar, options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> FrameRenderer:
        """The avatar's renderer at this framing, built on first use. Call off the event loop."""
        key = (avatar.avatar_id, options)
        with self._lock:
            renderer = self._renderers.pop(key, None) or FrameRenderer(avatar, options)
            self._renderers[key] = renderer
            while len(self._renderers) > self._capacity:
                self._renderers.popitem(last=False)
            return renderer
