"""line_strength: how much each pixel of a portrait stands out as part of a thin line, dark or light,
in lightness or in colour — the measure glasses' rims are found by (runtime/face/glasses.py,
runtime/face/browline_frame.py)."""

from __future__ import annotations

import cv2
import numpy as np

LAB_CHROMA_SCALE = 2.55  # OpenCV's 8-bit a*, b* to its L's scale (L* × 2.55)


def line_strength(image: np.ndarray, width_px: float) -> np.ndarray:
    """(H, W) float32: how much each pixel stands out as part of a line thinner than `width_px`,
    dark or light (morphological black-hat and top-hat), in lightness or in colour.

    A thin gold or silver rim is often hardly lighter or darker than the skin it lies on, and a
    lightness filter alone then finds the shading beside it instead (the mask held that skin rigid,
    and it smeared as the head turned); its colour sets it apart. Each of CIELAB's a* and b* counts
    as much as the same difference in lightness (CIE76: OpenCV's 8-bit L is L* × 2.55, its a* and b*
    unscaled)."""
    rgb = np.ascontiguousarray(image)
    planes = [cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)]
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    planes += [LAB_CHROMA_SCALE * lab[..., 1], LAB_CHROMA_SCALE * lab[..., 2]]
    size = max(3, int(round(width_px)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    strength = np.zeros(rgb.shape[:2], np.float32)
    for plane in planes:
        dark = cv2.morphologyEx(plane, cv2.MORPH_BLACKHAT, kernel)
        light = cv2.morphologyEx(plane, cv2.MORPH_TOPHAT, kernel)
        strength = np.maximum(strength, np.maximum(dark, light))
    return strength
