"""Avatar: a portrait analysed once — the image, its face mesh, and its own pose and expression,
which become a session's rest state (DESIGN.md, "The motion latent")."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from runtime.face.analysis import ANALYSIS_VERSION, AnalysisOptions, PortraitAnalysis, analyse_portrait
from runtime.types import HeadPose, RestState

AVATAR_ID_HEX_CHARS = 32


def avatar_id_for(image_bytes: bytes) -> str:
    """Content address: the same image gives the same id, and a new analysis version a new one."""
    digest = hashlib.sha256(ANALYSIS_VERSION.encode() + b"\0" + image_bytes).hexdigest()
    return digest[:AVATAR_ID_HEX_CHARS]


@dataclass(frozen=True, eq=False)
class Avatar:
    avatar_id: str
    display_name: str
    created_unix_s: float
    width: int
    height: int
    image: np.ndarray  # (height, width, 3) uint8 RGB
    landmarks: np.ndarray  # (478, 3) float32 pixels (see PortraitAnalysis)
    face_box: tuple[float, float, float, float]
    rest_head_pose: HeadPose
    rest_blendshapes: np.ndarray  # (52,) float32
    warnings: tuple[str, ...]  # what analysis noted, returned again by an idempotent create
    analysis_version: str = ANALYSIS_VERSION

    @classmethod
    def from_analysis(cls, avatar_id: str, display_name: str, created_unix_s: float,
                      analysis: PortraitAnalysis) -> Avatar:
        height, width = analysis.image.shape[:2]
        return cls(avatar_id, display_name, created_unix_s, width, height, analysis.image, analysis.landmarks,
                   analysis.face_box, analysis.head_pose, analysis.blendshapes, analysis.warnings)

    @property
    def rest_state(self) -> RestState:
        return RestState(head_pose=self.rest_head_pose, blendshapes=self.rest_blendshapes.copy())


def analyse_avatar(image_bytes: bytes, display_name: str = "", options: AnalysisOptions | None = None) -> Avatar:
    """An avatar straight from an image, without a store (offline rendering, benchmarks)."""
    analysis = analyse_portrait(bytes(image_bytes), options or AnalysisOptions())
    return Avatar.from_analysis(avatar_id_for(bytes(image_bytes)), display_name, time.time(), analysis)
