"""EyeStrip: the band of a portrait along the line through its eyes, unrolled into rows and columns, where
glasses' top bars are sought (runtime/face/browline_frame.py, half_rim_frame.py); and the eyes' openings
with a margin round them, which is never frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE

BEYOND_OUTER_CORNER = 0.3  # eye widths: the strip runs this far past each eye's outer corner
# From this far above the brows' highest point (eye widths: a bar may lie over the brows, never over the
# forehead, where the hairline is a dark path too) down to this far below the line through the eyes.
ABOVE_BROWS, SEARCH_BELOW = 0.1, 0.1
EYE_MARGIN = 0.12  # eye widths round the eye openings (lashes, pupils: dark, and not frame)


class EyeStrip:
    """The band of the portrait along the line through the eyes' centres, unrolled: column c is a
    pixel along that line from beyond the image-right eye's outer corner, row r a pixel square to it
    from just above the brows down to just below the line."""

    def __init__(self, landmarks: np.ndarray, eye_width: float, extra_px: int = 0) -> None:
        """`extra_px`: columns more at each end, past BEYOND_OUTER_CORNER."""
        points = landmarks[:, :2]
        centres = [points[list(eye.lids)].mean(axis=0) for eye in (RIGHT_EYE, LEFT_EYE)]
        self.across = (centres[1] - centres[0]) / np.linalg.norm(centres[1] - centres[0])
        self.down = np.array([-self.across[1], self.across[0]])
        self.origin = (centres[0] + centres[1]) / 2
        ends = [(points[eye.outer_corner] - self.origin) @ self.across for eye in (RIGHT_EYE, LEFT_EYE)]
        self.start = ends[0] - BEYOND_OUTER_CORNER * eye_width - extra_px
        self.columns = int(round(ends[1] + BEYOND_OUTER_CORNER * eye_width + extra_px - self.start)) + 1
        brows = points[[*RIGHT_EYE.brow_upper_row, *LEFT_EYE.brow_upper_row]]
        self.top = float(((brows - self.origin) @ self.down).min()) - ABOVE_BROWS * eye_width
        self.rows = int(round(SEARCH_BELOW * eye_width - self.top)) + 1
        self.inner = [(points[eye.inner_corner] - self.origin) @ self.across - self.start
                      for eye in (RIGHT_EYE, LEFT_EYE)]
        self.centres = [(centre - self.origin) @ self.across - self.start for centre in centres]

    def grid(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """(..., 2) image points of strip rows and columns (broadcast together)."""
        along = (self.start + columns)[..., None] * self.across
        square = (self.top + rows)[..., None] * self.down
        return self.origin + along + square

    def sample(self, values: np.ndarray) -> np.ndarray:
        """values (H, W[, C]) unrolled to (rows, columns[, C]), bilinear."""
        grid = self.grid(np.arange(self.rows)[:, None], np.arange(self.columns)[None]).astype(np.float32)
        return cv2.remap(values, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def points(self, rows: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
        """(N, 2) image points of a path through the strip: a row for each column (every column)."""
        columns = np.arange(self.columns) if columns is None else columns
        return self.grid(rows.astype(np.float64), columns.astype(np.float64))

    def outer_halves(self) -> tuple[np.ndarray, np.ndarray]:
        """Column indices from beyond each eye's outer corner to its centre: image-right eye, image-left."""
        columns = np.arange(self.columns)
        return columns[columns <= self.centres[0]], columns[columns >= self.centres[1]]

    def below(self, rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], depth: float | None = None
              ) -> np.ndarray:
        """(H, W) float32 1 from a path through the strip (fractional `rows` at `columns`, which may lie past
        the strip's ends) down to the strip's bottom, or `depth` rows below the path, 0 elsewhere."""
        rows, columns = np.asarray(rows, np.float64), np.asarray(columns, np.float64)
        edge = self.grid(rows, columns)
        bottom = self.grid(np.full(len(columns), self.rows - 1.0) if depth is None else rows + depth, columns)
        below = np.zeros(shape, np.uint8)
        cv2.fillPoly(below, [np.round(np.concatenate([edge, bottom[::-1]])).astype(np.int32)], 1)
        return below.astype(np.float32)

    def at(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """((N,), (N,)) the strip's (fractional) columns and rows of image points (N, 2)."""
        relative = points - self.origin
        return relative @ self.across - self.start, relative @ self.down - self.top


def eye_openings(shape: tuple[int, int], landmarks: np.ndarray, eye_width: float,
                 margin: float = EYE_MARGIN) -> np.ndarray:
    """(H, W) float32 1 over both eyes' openings and a margin round them (lashes, the lid's edge), in eye
    widths; a negative margin: the openings less that much round their edges."""
    openings = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        outline = landmarks[list(eye.upper_lid) + list(eye.lower_lid[::-1]), :2]
        cv2.fillPoly(openings, [np.round(outline).astype(np.int32)], 1)
    radius = max(1, int(round(abs(margin) * eye_width)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return (cv2.erode if margin < 0 else cv2.dilate)(openings, kernel).astype(np.float32)
