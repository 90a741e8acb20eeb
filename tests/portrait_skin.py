"""Aged skin for test portraits: fine creases drawn over the face, as an older face shows them.

A wrinkled face makes the skin itself full of thin lines; every finder that tells a feature from the
skin by how much more it stands out (the glasses' rims, runtime/face/glasses.py) then sees a higher
floor. The creases are the zero crossings of smooth seeded noise — wavy lines that branch and end as
real ones do — drawn about a pixel and a half wide, darker with a faint lit edge under them, stretched
sideways (furrows run across a face more than down it), over the face's skin but not its eyes, brows or
lips, and fading out towards the face's edge.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import FACE_OVAL, LEFT_EYE, LIPS, RIGHT_EYE, mean_eye_width
from tests.portrait_canvas import SHIFT, SUPERSAMPLE, canvas, fixed, reduced

CREASE_SCALES = ((0.22, 0.05, 1.0), (0.06, 0.06, 0.45))  # eye widths: (sideways, down) σ of each crease field's
# noise, and its depth: long furrows, and a fine crinkle between them
CREASE_HALF_WIDTH_PX = 0.8
CREASE_DEPTH = 0.18  # a crease darkens the skin by this share at its middle
LIT_EDGE = 0.06  # and lightens it by this share a pixel below
FEATURE_MARGIN = 0.15  # eye widths kept clear around the eyes, brows and lips
# Eye bags: arcs from each eye's inner corner out past its outer one, sagging this far (eye widths) below
# the line between the corners at their deepest, each drawn this dark (in CREASE_DEPTHs: an older face's
# bags are deeper lines than its rims are).
EYE_BAGS = ((0.5, 1.8), (0.72, 1.0))
BAG_REACH_OUTWARDS = 0.2  # eye widths past the outer corner


def wrinkled(rgb: np.ndarray, landmarks: np.ndarray, seed: int) -> np.ndarray:
    """(H, W, 3) uint8: the portrait with creases over its face's skin."""
    eye_width = mean_eye_width(landmarks)
    rng = np.random.default_rng(seed)
    creases = np.zeros(rgb.shape[:2], np.float32)
    for sideways, down, depth in CREASE_SCALES:
        lines = _zero_crossings(rng, rgb.shape[:2], sideways * eye_width, down * eye_width)
        creases = np.maximum(creases, depth * lines)
    strength = _skin_region(rgb.shape[:2], landmarks, eye_width) * _patchiness(rng, rgb.shape[:2], eye_width)
    dark = np.maximum(creases * strength, _eye_bags(rgb.shape[:2], landmarks, eye_width))
    lit = np.zeros_like(dark)
    lit[1:] = dark[:-1]
    shade = 1.0 - CREASE_DEPTH * dark + LIT_EDGE * lit * (1.0 - dark)
    return (rgb.astype(np.float32) * shade[..., None]).round().clip(0, 255).astype(np.uint8)


def _eye_bags(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) 0..1: the arcs of both eyes' bags, antialiased (tests/portrait_canvas.py)."""
    bags = np.zeros((shape[0] * SUPERSAMPLE, shape[1] * SUPERSAMPLE), np.float32)
    t = np.linspace(0.0, 1.0, 40)[:, None]
    for eye in (RIGHT_EYE, LEFT_EYE):
        inner, outer = landmarks[eye.inner_corner, :2], landmarks[eye.outer_corner, :2]
        along = (outer - inner) / np.linalg.norm(outer - inner)
        down = np.array([-along[1], along[0]])
        down = down if down[1] > 0 else -down
        end = outer + BAG_REACH_OUTWARDS * eye_width * along
        for sag, darkness in EYE_BAGS:
            arc = inner + t * (end - inner) + down * (0.1 + sag * np.sin(np.pi * t) ** 0.8) * eye_width
            layer = canvas(shape)
            cv2.polylines(layer, [fixed(arc)], False, 255, 2 * SUPERSAMPLE, cv2.LINE_AA, shift=SHIFT)
            bags = np.maximum(bags, darkness * layer)
    return reduced(bags, shape)


def _zero_crossings(rng: np.random.Generator, shape: tuple[int, int], sigma_x: float, sigma_y: float) -> np.ndarray:
    """(H, W) 0..1: thin antialiased lines where a smooth noise field crosses zero (|f| / |∇f| is the
    distance to the crossing in pixels)."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigmaX=sigma_x, sigmaY=sigma_y)
    gradient = np.hypot(cv2.Sobel(field, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(field, cv2.CV_32F, 0, 1, ksize=3)) / 8.0
    distance = np.abs(field) / np.maximum(gradient, 1e-9)
    return np.clip(CREASE_HALF_WIDTH_PX + 0.5 - distance, 0.0, 1.0)


def _patchiness(rng: np.random.Generator, shape: tuple[int, int], eye_width: float) -> np.ndarray:
    """(H, W) 0.3..1: creases deep in places and faint in others."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), 0.5 * eye_width)
    field /= max(float(field.std()), 1e-9)
    return np.clip(0.65 + 0.35 * field, 0.3, 1.0)


def _skin_region(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float) -> np.ndarray:
    """(H, W) 0..1: the face inside its oval, fading out over its outer part, with the eyes, brows and
    lips (and a margin round them) left clear."""
    points = landmarks[:, :2]
    face = np.zeros(shape, np.uint8)
    cv2.fillPoly(face, [np.round(points[list(FACE_OVAL)]).astype(np.int32)], 255)
    fade = max(1, int(round(0.4 * eye_width)))
    face = cv2.erode(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (fade, fade)))
    region = cv2.GaussianBlur(face.astype(np.float32) / 255.0, (0, 0), 0.3 * eye_width)
    features = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        cv2.fillPoly(features, [np.round(points[list(eye.upper_lid) + list(eye.lower_lid[::-1])]).astype(np.int32)], 1)
        cv2.fillPoly(features, [np.round(points[list(eye.brow_lower_row) + list(eye.brow_upper_row[::-1])]
                                         ).astype(np.int32)], 1)
    lips = points[list(LIPS.outer_upper) + list(LIPS.outer_lower[::-1])]
    cv2.fillPoly(features, [np.round(lips).astype(np.int32)], 1)
    radius = max(1, int(round(FEATURE_MARGIN * eye_width)))
    features = cv2.dilate(features, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    clear = cv2.GaussianBlur(features.astype(np.float32), (0, 0), 0.5 * radius)
    return region * (1.0 - clear)
