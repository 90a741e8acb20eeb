"""One 'node' of a shared avatar store, for tests/test_shared_avatar_store.py: its own process and
its own AvatarStore on a directory other workers use at the same time.

MediaPipe's analysis is replaced by a fake that decodes the image and waits `analysis_s` (the real
one takes 50–100 ms): what is under test is the store's file protocol between processes, and the
wait keeps creates overlapping as they do in production. Prints one JSON line per operation.

    python -m tests.shared_store_worker '{"directory": ..., "role": "create"|"churn"|"read", ...}'
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from runtime.errors import AvatarNotFoundError
from runtime.face.analysis import PortraitAnalysis
from runtime.face.avatar_store import AvatarStore
from runtime.face.landmarker import NUM_LANDMARKS
from runtime.types import HeadPose

GO_POLL_S = 0.001


def pixel_digest(rgb: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest()[:16]


def fake_analysis(image_bytes: bytes, analysis_s: float) -> PortraitAnalysis:
    time.sleep(analysis_s)
    with Image.open(io.BytesIO(image_bytes)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    landmarks = np.zeros((NUM_LANDMARKS, 3), np.float32)
    return PortraitAnalysis(rgb, landmarks, np.zeros(52, np.float32), HeadPose(), (0.0, 0.0, 1.0, 1.0), ())


class Node:
    def __init__(self, options: dict) -> None:
        self.options = options
        self.store = AvatarStore(options["directory"], max_avatars=options.get("max_avatars"))
        analysis_s = options.get("analysis_s", 0.0)
        self.store._analyse = lambda image_bytes: fake_analysis(image_bytes, analysis_s)  # type: ignore[method-assign]
        self.images = [Path(path).read_bytes() for path in options["images"]]
        self.random = random.Random(options.get("seed", 0))

    def report(self, **fields) -> None:
        print(json.dumps(fields), flush=True)

    def create(self, image_bytes: bytes) -> None:
        avatar, _ = self.store.create(image_bytes, display_name=self.options.get("name", ""))
        self.report(op="create", id=avatar.avatar_id, name=avatar.display_name, created=avatar.created_unix_s,
                    pixels=pixel_digest(avatar.image))

    def get(self, avatar_id: str) -> None:
        try:
            avatar = self.store.get(avatar_id)
        except AvatarNotFoundError:
            self.report(op="get", id=avatar_id, outcome="not_found")
            return
        self.report(op="get", id=avatar_id, outcome="ok", pixels=pixel_digest(avatar.image))

    def delete(self, avatar_id: str) -> None:
        try:
            self.store.delete(avatar_id)
            self.report(op="delete", id=avatar_id, outcome="ok")
        except AvatarNotFoundError:
            self.report(op="delete", id=avatar_id, outcome="not_found")

    def run(self) -> None:
        role, ids = self.options["role"], self.options.get("ids", [])
        if role == "create":  # every image once, in the given order
            for image_bytes in self.images:
                self.create(image_bytes)
            return
        deadline = time.monotonic() + self.options["duration_s"]
        while time.monotonic() < deadline:
            if role == "read":
                self.get(self.random.choice(ids))
                self.report(op="list", ids=[avatar.avatar_id for avatar in self.store.list()])
            elif self.random.random() < 0.25:  # churn: mostly creates (evicting), some deletes
                self.delete(self.random.choice(ids))
            else:
                self.create(self.random.choice(self.images))


def main() -> None:
    options = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    node = Node(options)
    Path(options["ready_file"]).touch()  # imports done: the test lets every node go only when all are ready
    go = Path(options["go_file"])
    while not go.exists():  # start together: the races are the point
        time.sleep(GO_POLL_S)
    try:
        node.run()
    except Exception as error:  # reported, so the test shows what broke, then fails on it
        node.report(op="error", error=f"{type(error).__name__}: {error}")
        raise
    finally:
        node.store.close()


if __name__ == "__main__":
    main()
