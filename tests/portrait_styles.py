"""Painting and drawing styles for test portraits, each made from a photo by OpenCV filters and
seeded noise (paper, grain, pigment): what users upload when their portrait is not a photo."""

from __future__ import annotations

import enum

import cv2
import numpy as np

from tests.portraits import painted


class Style(enum.StrEnum):
    PHOTO = "photo"
    STYLIZATION = "stylization painting"  # cv2.stylization: edge-preserving flat colour
    OIL = "oil painting"  # cv2.xphoto.oilPainting on a canvas weave
    CARTOON = "cartoon"  # flat quantised colour with ink outlines
    WATERCOLOUR = "watercolour"  # soft wash, pigment granulation, darker edges, paper
    PENCIL = "pencil"  # grey pencil with paper grain
    COLOURED_PENCIL = "coloured pencil"  # coloured strokes on textured paper
    INK = "ink hatching"  # black line art with hatched shading

    @property
    def is_drawing(self) -> bool:
        return self in (Style.PENCIL, Style.COLOURED_PENCIL, Style.INK)


def apply_style(rgb: np.ndarray, style: Style, seed: int) -> np.ndarray:
    makers = {Style.PHOTO: lambda image, _: image, Style.STYLIZATION: lambda image, _: painted(image),
              Style.OIL: _oil, Style.CARTOON: _cartoon, Style.WATERCOLOUR: _watercolour, Style.PENCIL: _pencil,
              Style.COLOURED_PENCIL: _coloured_pencil, Style.INK: _ink}
    return makers[style](rgb, np.random.default_rng(seed))


def _paper(shape: tuple[int, int], rng: np.random.Generator, grain: float, fibres: float) -> np.ndarray:
    """(H, W) float around 1: fine tooth (grain) and soft blotches (fibres) of paper or canvas."""
    fine = cv2.GaussianBlur(rng.normal(0.0, 1.0, shape).astype(np.float32), (0, 0), 0.7)
    coarse = cv2.GaussianBlur(rng.normal(0.0, 1.0, shape).astype(np.float32), (0, 0), 6.0)
    return 1.0 + grain * fine / fine.std() + fibres * coarse / max(float(coarse.std()), 1e-6)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.asarray(image).round().clip(0, 255).astype(np.uint8)


def _oil(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    brushed = cv2.xphoto.oilPainting(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), 5, 1)
    brushed = cv2.cvtColor(brushed, cv2.COLOR_BGR2RGB).astype(np.float32)
    height, width = rgb.shape[:2]
    weave = 1.0 + 0.035 * np.sin(np.arange(width) * 2.1)[None] * np.sin(np.arange(height) * 2.1)[:, None]
    return _to_uint8(brushed * (weave * _paper(rgb.shape[:2], rng, 0.02, 0.02))[..., None])


def _cartoon(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    smooth = rgb
    for _ in range(4):
        smooth = cv2.bilateralFilter(smooth, 7, 40, 7)
    levels = 8  # per channel in Lab lightness, fewer in colour: flat areas that keep skin tones
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] = (np.floor(lab[..., 0] / 255 * levels) + 0.5) * 255 / levels
    lab[..., 1:] = np.round((lab[..., 1:] - 128) / 6) * 6 + 128
    flat = cv2.cvtColor(_to_uint8(lab), cv2.COLOR_LAB2RGB)
    grey = cv2.medianBlur(cv2.cvtColor(smooth, cv2.COLOR_RGB2GRAY), 7)  # smoothed first: no freckle specks
    block = 2 * (max(rgb.shape[:2]) // 60) + 1
    edges = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 7)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))  # drop lone dots
    ink = cv2.GaussianBlur(edges, (0, 0), 0.7).astype(np.float32) / 255.0
    return _to_uint8(flat.astype(np.float32) * (0.15 + 0.85 * ink)[..., None])


def _watercolour(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    wash = cv2.edgePreservingFilter(rgb, flags=cv2.RECURS_FILTER, sigma_s=40, sigma_r=0.35)
    wash = cv2.GaussianBlur(wash, (0, 0), 1.2).astype(np.float32)
    paper_white = np.array([250.0, 246.0, 236.0])
    wash = paper_white - 0.92 * (paper_white - wash)  # thinned pigment: lighter, the paper shows through
    grey = cv2.cvtColor(_to_uint8(wash), cv2.COLOR_RGB2GRAY).astype(np.float32)
    pooled = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 3.0))  # pigment pools at the wash's edges
    edges = 1.0 - np.clip(pooled / 40.0, 0.0, 0.35)
    pigment = paper_white - wash  # how much pigment lies on the paper
    granulation = _paper(rgb.shape[:2], rng, 0.07, 0.08)
    painted_paper = paper_white - pigment * granulation[..., None]
    return _to_uint8(painted_paper * (edges * _paper(rgb.shape[:2], rng, 0.015, 0.01))[..., None])


def _pencil(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    strokes, _ = cv2.pencilSketch(rgb, sigma_s=60, sigma_r=0.1, shade_factor=0.1)
    tone = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    graphite = 255.0 - (255.0 - strokes * (0.4 + 0.6 * tone)) * _paper(rgb.shape[:2], rng, 0.25, 0.1)
    grey = np.clip(graphite * 0.97 + 6.0, 0, 255)  # the paper is never pure white
    return _to_uint8(np.repeat(grey[..., None], 3, axis=2) * np.array([1.0, 0.99, 0.96]))


def _coloured_pencil(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lines, _ = cv2.pencilSketch(rgb, sigma_s=50, sigma_r=0.08, shade_factor=0.05)  # graphite-like outlines
    smooth = cv2.bilateralFilter(rgb, 9, 30, 9).astype(np.float32)
    paper = np.array([248.0, 244.0, 232.0])
    strokes = np.clip(_hatch_noise(rgb.shape[:2], rng, angle_deg=60.0, amount=0.3), 0.0, 1.3)
    pigment = (paper - smooth) * 0.85 * strokes[..., None]  # colour laid in strokes, the paper between them
    outline = 0.45 + 0.55 * lines.astype(np.float32)[..., None] / 255.0
    texture = _paper(rgb.shape[:2], rng, 0.04, 0.02)[..., None]
    return _to_uint8((paper - pigment) * outline * texture)


def _hatch_noise(shape: tuple[int, int], rng: np.random.Generator, angle_deg: float, amount: float) -> np.ndarray:
    """(H, W) around 1: noise smeared along one direction, like pencil strokes."""
    noise = rng.normal(0.0, 1.0, shape).astype(np.float32)
    length = 9
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1.0 / length
    turn = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    streaks = cv2.filter2D(noise, -1, kernel / kernel.sum())
    return 1.0 + amount * streaks / streaks.std()


def _ink(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    grey = cv2.cvtColor(cv2.bilateralFilter(rgb, 7, 40, 7), cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    scale = max(rgb.shape[:2]) / 512
    fine, broad = cv2.GaussianBlur(grey, (0, 0), 0.8 * scale), cv2.GaussianBlur(grey, (0, 0), 1.6 * scale)
    lines = np.clip((broad - fine) * 14.0, 0.0, 1.0)  # difference of Gaussians: dark lines only
    tone = cv2.GaussianBlur(grey, (0, 0), 2.0 * scale)
    height, width = grey.shape
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    period = max(4.0, 5.0 * scale)
    hatch = _stripes(columns + rows, period, 0.34)  # one direction where mid-dark, crossed where dark
    cross = _stripes(columns - rows, period, 0.34)
    shade = np.where(tone < 0.55, hatch, 0.0) + np.where(tone < 0.32, cross, 0.0)
    shade = shade * np.clip(_paper((height, width), rng, 0.0, 0.4), 0.0, 1.0)  # the pen lifts now and then
    darkness = np.clip(lines + 0.8 * shade + np.where(tone < 0.12, 0.9, 0.0), 0.0, 1.0)
    paper = np.array([252.0, 250.0, 244.0])
    return _to_uint8(paper - (paper - 20.0) * darkness[..., None])


def _stripes(coordinate: np.ndarray, period: float, duty: float) -> np.ndarray:
    """Antialiased parallel lines: 1 on the line, 0 between, `duty` of each period inked."""
    phase = np.abs((coordinate / period) % 1.0 - 0.5) * 2.0  # 0 at a line's centre, 1 between lines
    return np.clip((duty - phase) * period / 1.5 + 0.5, 0.0, 1.0)
