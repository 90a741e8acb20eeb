"""Resampling: the warp's two bilinear reads per frame — the coarse offset upsampled to the view's
moving pixels, and the portrait read through the backward map those pixels make — done by OpenCV on
the CPU and by torch's grid_sample elsewhere (CUDA).

Together they were about a quarter of a frame's cost on a CPU, and grid_sample is the slow way
there: it reads a normalised grid, and upsampling a grid that is regular by construction pays for a
full gather per pixel. cv2.resize upsamples the coarse grid to the portrait's size with the same half-pixel alignment
(align_corners=False, edges repeated) and float weights — the same values as grid_sample to float
rounding (under 1e-3 px for offsets of ±20 px: grid_sample computes its weights from normalised
float32 coordinates) in a fifth of the time — and cv2.remap reads the portrait in 0.6 of
grid_sample's time, straight into the frame. remap quantises each position to 1/32 of a pixel (its
fixed-point weights), so the CPU's frames differ from CUDA's by that much of a pixel's gradient (see
tests/test_render.py's parity tests). Maps are in the portrait's pixels (x right, y down, pixel
centres at integers) on both paths.

The finished frame's conversion to 8-bit pixels is OpenCV's on the CPU too: one pass that rounds half
to even and saturates, where torch's round, clamp and cast make three (0.19 against 0.49 ms a 512²
frame, the same bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from runtime.render.stretched_grain import StretchedReads


@dataclass(frozen=True)
class Resampling:
    """The fixed geometry of one renderer's reads: the portrait's size, the coarse grid's, where its
    box of cells that move lies, and the view's moving pixels."""

    image_size: tuple[int, int]  # (width, height) of the portrait
    grid_size: int  # the coarse grid's cells each way
    box: tuple[int, int, int, int]  # (top, left, rows, columns) of the moving cells in the grid
    view: tuple[int, int, int, int]  # (left, top, width, height) of the frame in the portrait
    moving: tuple[slice, slice]  # the view's rows and columns whose offset can be anything but 0
    opencv: bool = True  # OpenCV's reads where the tensors are on the CPU; False: grid_sample's everywhere

    def offsets(self, coarse: torch.Tensor, moving_in_box: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) pixel offsets (or any planes) on the box's cells → (B, C, H', W') the same bilinearly
        upsampled to the moving pixels (`moving_in_box`: their grid_sample coordinates in the box,
        read on devices other than the CPU)."""
        if not (self.opencv and coarse.is_cpu):
            return F.grid_sample(coarse, moving_in_box.expand(len(coarse), -1, -1, -1), mode="bilinear",
                                 padding_mode="border", align_corners=False)
        (moving_rows, moving_columns), batch = self.moving, len(coarse)
        upsampled = np.empty((batch, coarse.shape[1], moving_rows.stop - moving_rows.start,
                              moving_columns.stop - moving_columns.start), np.float32)
        self._upsample_into(upsampled, coarse)
        return torch.from_numpy(upsampled)

    def maps_into(self, maps: torch.Tensor, identity: torch.Tensor, coarse: torch.Tensor,
                  moving_in_box: torch.Tensor) -> None:
        """maps (B, 2, H', W'), the moving pixels' backward maps, written: their own places (`identity`,
        (1, 2, H', W')) plus the coarse offset upsampled there (`offsets`). On the CPU each upsampled
        plane is added straight from OpenCV's output, not kept and added in a second pass."""
        if not (self.opencv and coarse.is_cpu):
            torch.add(identity, self.offsets(coarse, moving_in_box), out=maps)
            return
        self._upsample_into(maps.numpy(), coarse, identity[0].numpy())

    def _upsample_into(self, target: np.ndarray, coarse: torch.Tensor, plus: np.ndarray | None = None) -> None:
        """target (B, 2, H', W') ← the coarse offsets ((B, 2, h, w) on the box's cells) upsampled to the
        moving pixels, plus `plus` ((2, H', W')) where given."""
        _set_opencv_threads()
        top, left, rows, columns = self.box
        width, height = self.image_size
        (view_left, view_top), (moving_rows, moving_columns) = self.view[:2], self.moving
        rows_in_image = slice(view_top + moving_rows.start, view_top + moving_rows.stop)
        columns_in_image = slice(view_left + moving_columns.start, view_left + moving_columns.stop)
        # The whole grid, zero beyond the box as the field is there, upsampled to the whole portrait:
        # cv2.resize's half-pixel alignment is grid_sample's only over the grid it was given entire.
        # A plane at a time, so the planes come out whole, as the maps they are added to lie.
        grid = np.zeros((self.grid_size, self.grid_size), np.float32)
        whole = np.empty((height, width), np.float32)  # one buffer for every plane: resize writes it whole
        for frame, frame_planes in zip(coarse.numpy(), target, strict=True):
            for index, (plane, target_plane) in enumerate(zip(frame, frame_planes, strict=True)):
                grid[top:top + rows, left:left + columns] = plane
                cv2.resize(grid, (width, height), dst=whole, interpolation=cv2.INTER_LINEAR)
                if plus is None:
                    target_plane[...] = whole[rows_in_image, columns_in_image]
                else:  # OpenCV's add, into the strided plane in place: the same sums as numpy's, sooner
                    cv2.add(plus[index], whole[rows_in_image, columns_in_image], dst=target_plane)

    def portrait_into(self, frames: torch.Tensor, portrait: torch.Tensor, maps: torch.Tensor,
                      grain: torch.Tensor | None = None, stretched: StretchedReads | None = None) -> None:
        """Draw into `frames` ((B, 3, h, w) channels last, the view) at the moving pixels the
        portrait ((1, 3, H, W) channels last) read bilinearly at `maps` ((B, 2, h, w) pixels),
        edges repeated; and add `grain` (the same shape, or None) read there from the nearest pixel, not
        blended: a blend of neighbouring pixels averages grain away (warp_renderer._grain_split), and
        where `stretched` says the warp stretches the portrait, the paper's grain instead (stretched_grain.py)."""
        rows, columns = self.moving
        if rows.start >= rows.stop or columns.start >= columns.stop:
            return  # nothing in the view can move
        view_left, view_top = self.view[:2]
        origin = (view_left + columns.start, view_top + rows.start)  # the moving part's first pixel in the image
        if not (self.opencv and frames.is_cpu):
            width, height = self.image_size
            scale = maps.new_tensor([2.0 / width, 2.0 / height])[:, None, None]
            for index, (frame, frame_maps) in enumerate(zip(frames, maps, strict=True)):
                grid = ((frame_maps[:, rows, columns] + 0.5) * scale - 1.0).permute(1, 2, 0)[None]
                frame[:, rows, columns] = F.grid_sample(portrait, grid, mode="bilinear", padding_mode="border",
                                                        align_corners=False)[0]
                if grain is not None:
                    # The nearest pixel chosen here, rounded half to even as OpenCV's remap does: grid_sample
                    # rounds the coordinate it gets back from `grid`, and at a tie (the maps are upsampled,
                    # so halves are common) that round trip's last bit picked either neighbour, depending
                    # on the machine (tests/test_render.py reads the same maps, ties included, both ways).
                    nearest = ((frame_maps[:, rows, columns].round() + 0.5) * scale - 1.0).permute(1, 2, 0)[None]
                    read = F.grid_sample(grain, nearest, mode="nearest", padding_mode="border", align_corners=False)[0]
                    if stretched is not None:
                        stretched.blend(index, read, frame_maps[:, rows, columns], origin)
                    frame[:, rows, columns] += read
            return
        _set_opencv_threads()
        source = portrait[0].permute(1, 2, 0).numpy()  # (H, W, 3), the channels-last memory as it lies
        grain_source = None if grain is None else grain[0].permute(1, 2, 0).numpy()
        for index, (frame, frame_maps) in enumerate(zip(frames, maps.numpy(), strict=True)):
            target = frame.permute(1, 2, 0).numpy()[rows, columns]  # a view: remap writes into the frame
            map_x, map_y = frame_maps[0, rows, columns], frame_maps[1, rows, columns]
            cv2.remap(source, map_x, map_y, cv2.INTER_LINEAR, dst=target, borderMode=cv2.BORDER_REPLICATE)
            if grain_source is not None:
                read = cv2.remap(grain_source, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
                if stretched is not None:  # (h, w, 3) as torch's (3, h, w), the same memory
                    stretched.blend(index, torch.from_numpy(read).permute(2, 0, 1),
                                    maps[index, :, rows, columns], origin)
                cv2.add(target, read, dst=target)

    def pixels(self, frames: torch.Tensor) -> torch.Tensor:
        """(B, 3, h, w) channels-last float frames → (B, h, w, 3) uint8: rounded half to even, then
        held to 0..255 (`frames` may be changed in place)."""
        if not (self.opencv and frames.is_cpu):
            return frames.round_().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
        _set_opencv_threads()
        planes = frames.permute(0, 2, 3, 1).numpy()  # (B, h, w, 3), the channels-last memory as it lies
        rows = planes.reshape(-1, planes.shape[2] * planes.shape[3])  # one image: OpenCV takes no batch
        # multiply by one into 8 bits: saturate_cast, which rounds half to even as torch's round does
        return torch.from_numpy(cv2.multiply(rows, 1.0, dtype=cv2.CV_8U).reshape(planes.shape))


def _set_opencv_threads() -> None:
    """OpenCV's pool as large as torch's: a render process given one thread keeps to one core."""
    threads = torch.get_num_threads()
    if cv2.getNumThreads() != threads:
        cv2.setNumThreads(threads)
