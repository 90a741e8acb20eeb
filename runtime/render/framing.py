"""Framing: which part of an avatar's portrait a rendered frame shows, and at what size.

Done once per renderer, not per frame: the portrait is cropped and resampled (antialiased, with
Pillow's Lanczos filter) to the output size, and its landmarks are carried along, so the warp works
at output resolution — its cost follows the frame, not the source photo, and a 24-megapixel upload
renders as fast as a 512² one.

- `head` (the default): a square `size`×`size` crop of head and shoulders, as talking-head video is
  framed: the face oval's larger extent fills HEAD_FILL of it, the face a little above the middle.
  Whole-image framing would leave a typical photo's face ~120 px wide in a 512² frame, where a mouth
  does not read.
- `face`: a square `size`×`size` crop centred on the face oval, the oval's larger extent filling
  FACE_FILL of it.
- `portrait`: the whole image, its longer side `size` pixels, its aspect kept.
The square crops are kept inside the image, and smaller than asked only when the image is.
Both sides of a frame are even, which H.264's 4:2:0 chroma needs.

A face crop is warped with a margin around it (FACE_MARGIN of its side, where the image has it) and
cut out afterwards: the warp keeps the border of what it warps still, and without the margin that
border would run through the hair, which tears when the head turns. Where the image has too little
margin for the face to move freely (a close crop: the chin near the photo's bottom edge, where a wide
jaw tore the chin along a straight line), what the warp works on reaches past the image, mirrored
(`_clear_of_still_edge`); the frame itself never shows beyond the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from PIL import Image

from runtime.errors import InvalidConfigError
from runtime.render.landmark_groups import face_oval_points

MIN_FRAME_SIZE, MAX_FRAME_SIZE, DEFAULT_FRAME_SIZE = 256, 1024, 512
FACE_FILL = 0.6  # the face oval's larger extent over the face crop's side: hair, ears and chin stay in
HEAD_FILL = 0.42  # the same for head-and-shoulders framing: the hair, the neck and the shoulders' top
HEAD_CENTRE_HEIGHT = 0.42  # where the face oval's centre sits, from the top, in frame heights
FACE_MARGIN = 0.3  # warped beyond each side of a face crop, in crop sides
# The warp keeps a band along the edge of what it works on still and fades its field in beyond it
# (WarpRendererConfig: still_border_px 40 and two coarse cells, then border_fade_px 32; a cell is the
# canvas's longer side over grid_size 128), in output pixels: 72 plus two cells of a canvas FACE_MARGIN
# wider than the frame on each side. The face oval lies at least this far inside on every side.
STILL_EDGE_PX = 72.0
STILL_EDGE_CELLS = 2.0 * (1.0 + 2.0 * FACE_MARGIN) / 128.0  # times the frame size
JAW_REACH = 0.27  # below the oval, further by this many face extents: the chin drops 0.22-0.26 at jawOpen 1
LANCZOS_SUPPORT = 3.0  # output pixels Pillow's Lanczos filter reads on each side of a pixel


class Framing(StrEnum):
    HEAD = "head"
    FACE = "face"
    PORTRAIT = "portrait"


@dataclass(frozen=True)
class FrameOptions:
    size: int = DEFAULT_FRAME_SIZE  # the frame's longer side in pixels
    framing: Framing = Framing.HEAD

    def __post_init__(self) -> None:
        if not (MIN_FRAME_SIZE <= self.size <= MAX_FRAME_SIZE):
            raise InvalidConfigError(f"frame size must be within [{MIN_FRAME_SIZE}, {MAX_FRAME_SIZE}], got {self.size}")
        if self.framing not in tuple(Framing):
            choices = ", ".join(framing.value for framing in Framing)
            raise InvalidConfigError(f"framing must be one of {choices}, got {self.framing!r}")


DEFAULT_FRAME_OPTIONS = FrameOptions()


@dataclass(frozen=True, eq=False)
class FramedPortrait:
    """The picture the warp works on at rest, the face mesh in its pixels, and the frame cut from it."""

    image: np.ndarray  # (height, width, 3) uint8 RGB, at output scale
    landmarks: np.ndarray  # (478, 3) float64 pixels of `image`; z scaled like x
    crop: tuple[int, int, int, int]  # left, top, width, height of the frame within `image`
    box: tuple[float, float, float, float]  # the portrait's region `image` shows (left, top, right, bottom)
    scale: tuple[float, float]  # `image`'s pixels per portrait pixel, (x, y)

    @property
    def frame(self) -> np.ndarray:
        """(height, width, 3) the frame at rest."""
        left, top, width, height = self.crop
        return self.image[top:top + height, left:left + width]


def frame_portrait(image: np.ndarray, landmarks: np.ndarray,
                   options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> FramedPortrait:
    height, width = image.shape[:2]
    box, output, crop = _geometry(width, height, landmarks, options)
    if output == (width, height) and box == (0.0, 0.0, width, height):
        # Nothing to resample: the frame at rest is the portrait itself, bit for bit.
        return FramedPortrait(image, np.asarray(landmarks, dtype=np.float64), crop, box, (1.0, 1.0))
    box_width, box_height = box[2] - box[0], box[3] - box[1]
    source, origin = _mirrored_beyond(image, box, min(output[0] / box_width, output[1] / box_height))
    read_box = (box[0] + origin[0], box[1] + origin[1], box[2] + origin[0], box[3] + origin[1])
    resampled = Image.fromarray(source).resize(output, Image.Resampling.LANCZOS, box=read_box)
    scales = np.array([output[0] / box_width, output[1] / box_height])
    # Landmarks index pixel centres: shift to pixel edges, map, and shift back.
    moved = np.asarray(landmarks, dtype=np.float64).copy()
    moved[:, :2] = (moved[:, :2] + 0.5 - np.array(box[:2])) * scales - 0.5
    moved[:, 2] *= scales[0]
    return FramedPortrait(np.array(resampled), moved, crop, box, (float(scales[0]), float(scales[1])))


def _mirrored_beyond(image: np.ndarray, box: tuple[float, float, float, float], scale: float
                     ) -> tuple[np.ndarray, tuple[int, int]]:
    """`image`, mirrored at its edges as far as `box` reaches past them (and the resampling filter's
    reach beyond that, wider where it shrinks the image: `scale` output pixels per image pixel), and
    where the image's own top-left pixel lies in it, (x, y)."""
    height, width = image.shape[:2]
    reach = math.ceil(LANCZOS_SUPPORT / min(scale, 1.0)) + 1
    left, top, right, bottom = (math.ceil(beyond) + reach if beyond > 0 else 0
                                for beyond in (-box[0], -box[1], box[2] - width, box[3] - height))
    if not (left or top or right or bottom):
        return image, (0, 0)
    return cv2.copyMakeBorder(image, top, bottom, left, right, cv2.BORDER_REFLECT_101), (left, top)


def carry_mask(mask: np.ndarray, source: FramedPortrait, target: FramedPortrait) -> np.ndarray:
    """(H, W) float32: `mask`, drawn over `source.image`, resampled over `target.image` — two framings
    of one portrait. Outside what `source` shows it is 0."""
    scale = np.array(target.scale) / np.array(source.scale)
    # A target pixel centre x_t lies at portrait pixel (x_t + 0.5) / s_t + box_t - 0.5, as in frame_portrait.
    shift = (np.array(source.box[:2]) - np.array(target.box[:2])) * np.array(target.scale) + 0.5 * scale - 0.5
    matrix = np.array([[scale[0], 0.0, shift[0]], [0.0, scale[1], shift[1]]])
    mask = np.asarray(mask, dtype=np.float32)
    if scale.min() < 1.0:  # shrinking: average what each target pixel covers first, or thin rims alias
        mask = cv2.GaussianBlur(mask, (0, 0), 0.5 / float(scale.min()))
    height, width = target.image.shape[:2]
    return cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=0.0)


def frame_crop(image: np.ndarray, landmarks: np.ndarray,
               options: FrameOptions = DEFAULT_FRAME_OPTIONS) -> tuple[int, int, int, int]:
    """`frame_portrait(...).crop` (left, top, width, height of the frame), without resampling the
    portrait: for a process that only needs the frame's size."""
    height, width = image.shape[:2]
    return _geometry(width, height, landmarks, options)[2]


def _geometry(width: int, height: int, landmarks: np.ndarray, options: FrameOptions
              ) -> tuple[tuple[float, float, float, float], tuple[int, int], tuple[int, int, int, int]]:
    """(the image's box that is resampled, its size after resampling (width, height), the frame's crop
    within it (left, top, width, height))."""
    if options.framing is Framing.PORTRAIT:
        box = shown = (0.0, 0.0, float(width), float(height))
        scale = options.size / max(width, height)
    else:
        fill, centre_height = (FACE_FILL, 0.5) if options.framing is Framing.FACE else (HEAD_FILL, HEAD_CENTRE_HEIGHT)
        shown = _square_around_face(landmarks, width, height, fill, centre_height)
        scale = options.size / (shown[2] - shown[0])
        box = _with_margin(shown, FACE_MARGIN * (shown[2] - shown[0]), width, height)
    box = _clear_of_still_edge(box, landmarks, scale, options.size)
    output = (_even((box[2] - box[0]) * scale), _even((box[3] - box[1]) * scale))  # (width, height)
    frame_size = (_even((shown[2] - shown[0]) * scale), _even((shown[3] - shown[1]) * scale))
    crop_left = min(round((shown[0] - box[0]) * scale), output[0] - frame_size[0])
    crop_top = min(round((shown[1] - box[1]) * scale), output[1] - frame_size[1])
    return box, output, (crop_left, crop_top, *frame_size)


def _with_margin(box: tuple[float, float, float, float], margin: float, width: int, height: int
                 ) -> tuple[float, float, float, float]:
    return (max(0.0, box[0] - margin), max(0.0, box[1] - margin),
            min(float(width), box[2] + margin), min(float(height), box[3] + margin))


def _clear_of_still_edge(box: tuple[float, float, float, float], landmarks: np.ndarray, scale: float, size: int
                         ) -> tuple[float, float, float, float]:
    """`box` grown, past the image where it must, until the face oval (and below it the chin's reach at a
    wide-open jaw) lies clear of the band along its edge that the warp keeps still. `scale`: output
    pixels per portrait pixel."""
    oval = face_oval_points(landmarks)
    low, high = oval.min(axis=0), oval.max(axis=0)
    clearance = (STILL_EDGE_PX + STILL_EDGE_CELLS * size) / scale  # portrait pixels
    below = clearance + JAW_REACH * float((high - low).max())
    # Grown by an even number of whole portrait pixels: a portrait framed whole at its own size keeps its
    # pixels exactly where they were (no sub-pixel shift, no resampling of an odd side to an even one).
    return (box[0] - _even_pixels(box[0] - (low[0] - clearance)), box[1] - _even_pixels(box[1] - (low[1] - clearance)),
            box[2] + _even_pixels(high[0] + clearance - box[2]), box[3] + _even_pixels(high[1] + below - box[3]))


def _even_pixels(short: float) -> int:
    """How far to grow a side `short` pixels short of where it should be: the next even whole number, 0
    when it is not short."""
    return 2 * math.ceil(short / 2) if short > 0 else 0


def _square_around_face(landmarks: np.ndarray, width: int, height: int, fill: float, centre_height: float
                        ) -> tuple[float, float, float, float]:
    """A square whose side is the face oval's larger extent over `fill`, the oval's centre
    `centre_height` of the way down it; moved (and only if it must, shrunk) to lie inside the image."""
    oval = face_oval_points(landmarks)
    low, high = oval.min(axis=0), oval.max(axis=0)
    centre = (low + high) / 2
    side = min(float((high - low).max()) / fill, width, height)
    left = float(np.clip(centre[0] - side / 2, 0.0, width - side))
    top = float(np.clip(centre[1] - centre_height * side, 0.0, height - side))
    return left, top, left + side, top + side


def _even(length: float) -> int:
    return max(2, 2 * round(length / 2))
