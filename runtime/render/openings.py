"""Openings of the face — the mouth between the inner lips, an eye between its lids — as per-pixel
geometry over small windows of a frame, batched.

An opening is bounded by an upper and a lower curve that share their corners. Pixels are expressed
in the opening's own frame (u along the corner-to-corner line, v perpendicular, pointing down the
image), and each curve is read as v(u) by piecewise-linear interpolation between its landmarks. The
interpolation weights are kept, so anything else carried by the landmarks (their displacement, say)
is interpolated the same way with one product.

Windows: the layers drawn inside openings (mouth interior, eyes) only touch a fixed-size window
around the feature, moved each frame with it, so their cost is a few thousand pixels per feature
whatever the frame size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

EDGE_SOFTNESS_PX = 1.0  # the opening's edge is antialiased over this width
# A portrait's own opening mask reaches this far past its antialiased edge, so a layer drawn over an
# unmoved opening reads nothing but the portrait's own pixels: exact at rest.
SOURCE_DILATION_PX = 1.5


def left_to_right(indices: tuple[int, ...], landmarks: np.ndarray) -> tuple[int, ...]:
    """A curve's landmark indices ordered from the image's left to its right (at rest), so its knots
    increase along u."""
    xs = np.asarray(landmarks)[list(indices), 0]
    return indices if xs[0] <= xs[-1] else indices[::-1]


@dataclass(frozen=True)
class CurvePosition:
    """Where pixels fall along a curve's knots: on which segment and how far along it. Reading a
    curve's values there is two gathers and a blend per pixel — a dense (pixels × knots) weight
    matrix would cost the knot count times more, and this runs on every pixel of every window."""

    index: torch.Tensor  # (B, P) long: the segment's first knot, 0 .. K − 2
    following: torch.Tensor  # (B, P) long: its second, index + 1 (every read gathers at both)
    fraction: torch.Tensor  # (B, P) 0..1 along that segment
    covered: torch.Tensor  # (B, P) 1 between the curve's first and last knot, 0 beyond
    knots: torch.Tensor  # (B, K) the knots themselves
    spacing: torch.Tensor  # (B, P) the segment's length

    @classmethod
    def of(cls, u: torch.Tensor, knots: torch.Tensor) -> CurvePosition:
        """(B, P) positions and (B, K) increasing knots."""
        index = (torch.searchsorted(knots.contiguous(), u.contiguous(), right=True) - 1).clamp(0, knots.shape[1] - 2)
        following = index + 1
        low, high = knots.gather(1, index), knots.gather(1, following)
        spacing = (high - low).clamp(min=1e-6)
        fraction = ((u - low) / spacing).clamp(0.0, 1.0)
        covered = ((u >= knots[:, :1]) & (u < knots[:, -1:])).to(u.dtype)
        return cls(index, following, fraction, covered, knots, spacing)

    def at(self, kept: torch.Tensor) -> CurvePosition:
        """The same for the pixels `kept` ((K,) long indices) only."""
        return CurvePosition(self.index[:, kept], self.following[:, kept], self.fraction[:, kept],
                             self.covered[:, kept], self.knots, self.spacing[:, kept])

    def read_smooth(self, values: torch.Tensor, slopes: torch.Tensor | None = None) -> torch.Tensor:
        """(B, K) one value per knot → (B, P) at the pixels along a smooth curve through them, 0 where
        not covered. An outline drawn through a dozen landmarks with straight segments shows its
        corners once it is large (a wide-open mouth's inner lips were a hexagon); a monotone cubic
        (PCHIP) rounds them without bulging past its knots, as a plain spline would. `slopes`: the
        curve's at its knots (_monotone_slopes), when the caller has them."""
        first, second, first_slope, second_slope, t = self._hermite(values, slopes)
        t2 = t * t
        t3 = t2 * t
        value = (first + (3.0 * t2 - 2.0 * t3) * (second - first) + (t3 - 2.0 * t2 + t) * first_slope
                 + (t3 - t2) * second_slope)
        return value * self.covered

    def smooth_slope(self, values: torch.Tensor, slopes: torch.Tensor | None = None) -> torch.Tensor:
        """(B, K) one value per knot → (B, P) the slope (value per unit of u) of `read_smooth`'s curve
        at the pixels, 0 where not covered; `slopes` as read_smooth's."""
        first, second, first_slope, second_slope, t = self._hermite(values, slopes)
        t2 = t * t
        per_fraction = (6.0 * (t - t2) * (second - first) + (3.0 * t2 - 4.0 * t + 1.0) * first_slope
                        + (3.0 * t2 - 2.0 * t) * second_slope)
        return per_fraction / self.spacing * self.covered

    def _hermite(self, values: torch.Tensor, slopes: torch.Tensor | None) -> tuple[torch.Tensor, ...]:
        """Each pixel's segment of the PCHIP through (B, K) values: its end values, its end slopes
        per unit of the segment's fraction, and the pixel's fraction along it, (B, P) each."""
        slopes = _monotone_slopes(self.knots, values) if slopes is None else slopes  # (B, K)
        first, second = values.gather(1, self.index), values.gather(1, self.following)
        first_slope = slopes.gather(1, self.index) * self.spacing
        second_slope = slopes.gather(1, self.following) * self.spacing
        return first, second, first_slope, second_slope, self.fraction

    def read(self, values: torch.Tensor) -> torch.Tensor:
        """(B, K, C) values at the knots → (B, P, C) at the pixels, piecewise linear, 0 where not covered.
        A channel at a time, each a (B, P) plane, for the reason to_local gives."""
        read = values.new_empty((*self.index.shape, values.shape[-1]))
        for channel, plane in zip(values.unbind(dim=-1), read.unbind(dim=-1), strict=True):
            first = channel.gather(1, self.index)
            torch.mul(first + (channel.gather(1, self.following) - first) * self.fraction, self.covered, out=plane)
        return read


@dataclass(frozen=True)
class Opening:
    """Where pixels sit relative to an opening, for one batch of frames."""

    u: torch.Tensor  # (B, P) along the corner line, pixels from its midpoint
    v: torch.Tensor  # (B, P) across it, down the image
    upper_at: CurvePosition  # where each pixel's u falls along the upper curve
    lower_at: CurvePosition
    v_upper: torch.Tensor  # (B, P) the upper curve at each pixel's u
    v_lower: torch.Tensor  # (B, P)
    half_width: torch.Tensor  # (B, 1) half the corner-to-corner distance
    axes: torch.Tensor  # (B, 2, 2) rows: u and v as image (x, y) unit vectors
    origin: torch.Tensor  # (B, 2)
    knot_v: tuple[torch.Tensor, torch.Tensor]  # (B, K) each: the upper and the lower curve's v at their knots
    smooth: bool
    # (B, K) each: a smooth opening's curves' slopes at their knots (_monotone_slopes), computed once:
    # the edges' antialiasing and the layers' distances square to the lips read them again.
    knot_slopes: tuple[torch.Tensor, torch.Tensor] | None = None
    # (B, P) each, by curve (0 upper, 1 lower): _square_to's factors once computed, kept by `at`.
    squares: dict[int, torch.Tensor] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, pixels: torch.Tensor, upper: torch.Tensor, lower: torch.Tensor, smooth: bool = False) -> Opening:
        """pixels (B, P, 2), upper and lower curves (B, K, 2) left to right, sharing their ends;
        `smooth`: the curves rounded through their points (CurvePosition.read_smooth), else straight
        between them."""
        origin, axes, length = _corner_frame(upper)
        (u, v), upper_local, lower_local = (to_local(points, origin, axes) for points in (pixels, upper, lower))
        upper_at = CurvePosition.of(u, upper_local[0])
        lower_at = CurvePosition.of(u, lower_local[0])
        knot_v = (upper_local[1], lower_local[1])
        if smooth:
            knot_slopes = (_monotone_slopes(upper_at.knots, knot_v[0]), _monotone_slopes(lower_at.knots, knot_v[1]))
            v_upper, v_lower = (position.read_smooth(values, slopes) for position, values, slopes
                                in zip((upper_at, lower_at), knot_v, knot_slopes, strict=True))
        else:
            knot_slopes = None
            v_upper, v_lower = (position.read(values[..., None]).squeeze(-1)
                                for position, values in zip((upper_at, lower_at), knot_v, strict=True))
        return cls(u, v, upper_at, lower_at, v_upper, v_lower, length / 2, axes, origin, knot_v, smooth, knot_slopes)

    @staticmethod
    def rows_reached(upper: torch.Tensor, lower: torch.Tensor, softness_px: float = EDGE_SOFTNESS_PX,
                     smooth: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """(B,) each: the least and the greatest image y of a pixel to which `inside` (no dilation) may
        give more than 0 between these curves ((B, K, 2) as `of` takes them), so a layer can skip the
        window's rows beyond (Windows.rows_between). In the opening's frame such a pixel lies between
        the curves' first and last knot and within their knots' v — a monotone cubic does not overshoot
        its knots — widened by the antialiased edge: measured square to a curve, that edge reaches as
        far again along v as the curve is steep (1 / cos of its slope), and a monotone cubic's slope is
        at most its knots' slopes or 1.5 times its steepest secant. The box of that rectangle, in image y."""
        origin, axes, _ = _corner_frame(upper)
        along, across = axes[:, 0], axes[:, 1]
        (u_upper, v_upper), (u_lower, v_lower) = (to_local(curve, origin, axes) for curve in (upper, lower))
        edge = torch.full_like(origin[:, 0], softness_px / 2 + 1.0)  # (B,) one pixel beyond, for rounding
        if smooth:
            steepest = torch.stack([_steepest(u, v) for u, v in ((u_upper, v_upper), (u_lower, v_lower))]).amax(dim=0)
            edge = edge * torch.sqrt(1.0 + steepest * steepest)
        u = torch.stack([u_upper[:, 0], u_upper[:, -1]], dim=1)  # (B, 2)
        v = torch.stack([torch.minimum(v_upper.amin(dim=1), v_lower.amin(dim=1)) - edge,
                         torch.maximum(v_upper.amax(dim=1), v_lower.amax(dim=1)) + edge], dim=1)
        ys = origin[:, 1:, None] + u[:, :, None] * along[:, 1, None, None] + v[:, None, :] * across[:, 1, None, None]
        ys = ys.flatten(1)  # (B, 4) the rectangle's corners
        return ys.amin(dim=1), ys.amax(dim=1)

    def at(self, kept: torch.Tensor) -> Opening:
        """The same opening for the pixels `kept` ((K,) long indices) only: everything here is per
        pixel, so a layer can draw just the pixels it shows."""
        return Opening(self.u[:, kept], self.v[:, kept], self.upper_at.at(kept), self.lower_at.at(kept),
                       self.v_upper[:, kept], self.v_lower[:, kept], self.half_width, self.axes, self.origin,
                       self.knot_v, self.smooth, self.knot_slopes,
                       {curve: factor[:, kept] for curve, factor in self.squares.items()})

    def upper_line_of(self, curve: torch.Tensor) -> torch.Tensor:
        """(B, P) v of another curve (B, K, 2) that pairs point for point with the upper one (the same
        lip or lid elsewhere: at rest, say), read at each pixel's u like the upper curve."""
        v = to_local(curve, self.origin, self.axes)[1]  # (B, K)
        return self.upper_at.read(v[..., None]).squeeze(-1)

    def inside(self, dilation_px: float = 0.0, softness_px: float = EDGE_SOFTNESS_PX) -> torch.Tensor:
        """(B, P) 1 between the curves, 0 outside, antialiased over `softness_px` (a soft portrait's
        edges are wider: edge_blur.py); `dilation_px` grows it on both sides."""
        margin = softness_px / 2 + dilation_px
        # A rounded opening's curves run steeply into its corners, where the distance straight down to
        # them is several times the true one and an edge antialiased over it steps pixel by pixel.
        below, above = (self.below_upper(), self.above_lower()) if self.smooth else (
            self.v - self.v_upper, self.v_lower - self.v)
        below_upper = ((below + margin) / softness_px).clamp(0.0, 1.0)
        above_lower = ((above + margin) / softness_px).clamp(0.0, 1.0)
        covered = self.upper_at.covered * self.lower_at.covered
        # An opening thinner than its edge shows as much as it is wide: lips that meet show no sliver.
        height = ((self.v_lower - self.v_upper + 2.0 * dilation_px) / softness_px).clamp(0.0, 1.0)
        return below_upper * above_lower * covered * height

    def below_upper(self) -> torch.Tensor:
        """(B, P) pixels below the upper curve, measured square to it: towards the corners an open
        mouth's curves run steeply, where the distance straight down to them is several times the
        true one, and a band a pixel wide measured that way thins to dotted specks along the sides."""
        return (self.v - self.v_upper) * self._square_to(0)

    def above_lower(self) -> torch.Tensor:
        """(B, P) pixels above the lower curve, measured square to it (see `below_upper`)."""
        return (self.v_lower - self.v) * self._square_to(1)

    def _square_to(self, curve: int) -> torch.Tensor:
        """(B, P) the factor turning a distance along v into one square to the upper (0) or lower (1)
        curve: cos of its slope."""
        if curve not in self.squares:
            position, knot_v = (self.upper_at, self.lower_at)[curve], self.knot_v[curve]
            if self.smooth:
                slope = position.smooth_slope(knot_v, self.knot_slopes[curve])
            else:
                rise = knot_v.gather(1, position.following) - knot_v.gather(1, position.index)
                slope = rise / position.spacing * position.covered
            self.squares[curve] = torch.rsqrt(1.0 + slope * slope)
        return self.squares[curve]

    def depth(self) -> torch.Tensor:
        """(B, P) 0 at the upper curve, 1 at the lower one."""
        return ((self.v - self.v_upper) / (self.v_lower - self.v_upper).clamp(min=1e-3)).clamp(0.0, 1.0)

    def lateral(self) -> torch.Tensor:
        """(B, P) 0 on the midline, 1 at the corners."""
        return (self.u.abs() / self.half_width).clamp(0.0, 1.0)


def _monotone_slopes(knots: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """(B, K) knots and values → (B, K) the curve's slope at each knot, Fritsch and Carlson's: the
    weighted harmonic mean of the segments beside it, 0 at a peak or a valley (so no segment overshoots),
    and at the ends as steep as _end_slope has them."""
    spacing = (knots[:, 1:] - knots[:, :-1]).clamp(min=1e-6)  # (B, K − 1)
    secant = (values[:, 1:] - values[:, :-1]) / spacing
    if secant.shape[1] < 2:  # one segment: a straight line
        return torch.cat([secant, secant], dim=1)
    before, after = secant[:, :-1], secant[:, 1:]
    same_way = before * after > 0.0
    weight_before = 2.0 * spacing[:, 1:] + spacing[:, :-1]
    weight_after = spacing[:, 1:] + 2.0 * spacing[:, :-1]
    safe_before = torch.where(same_way, before, torch.ones_like(before))
    safe_after = torch.where(same_way, after, torch.ones_like(after))
    inner = (weight_before + weight_after) / (weight_before / safe_before + weight_after / safe_after)
    inner = torch.where(same_way, inner, torch.zeros_like(inner))
    first, last = _end_slope(secant[:, 0], secant[:, 1]), _end_slope(secant[:, -1], secant[:, -2])
    return torch.cat([first[:, None], inner, last[:, None]], dim=1)


def _corner_frame(upper: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """An opening's own frame from its (B, K, 2) upper curve, whose ends are its corners: the corners'
    midpoint (B, 2), the axes (B, 2, 2) (rows: u along the corner line, v a quarter turn towards the
    image's down) and the corner-to-corner length (B, 1)."""
    origin = (upper[:, 0] + upper[:, -1]) / 2
    span = upper[:, -1] - upper[:, 0]
    length = span.norm(dim=-1, keepdim=True).clamp(min=1e-6)
    along = span / length
    across = torch.stack([-along[:, 1], along[:, 0]], dim=-1)
    return origin, torch.stack([along, across], dim=1), length


def _steepest(knots: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """(B,) the greatest |slope| a smooth curve through (B, K) increasing knots and values can have
    (Opening.rows_reached): its knots' slopes, or 1.5 times a secant (the most a cubic Hermite segment
    whose end slopes lie between 0 and three times its secant reaches inside it)."""
    spacing = (knots[:, 1:] - knots[:, :-1]).clamp(min=1e-6)
    secant = (values[:, 1:] - values[:, :-1]) / spacing
    return torch.maximum(_monotone_slopes(knots, values).abs().amax(dim=1), 1.5 * secant.abs().amax(dim=1))


def _end_slope(end_secant: torch.Tensor, next_secant: torch.Tensor) -> torch.Tensor:
    """(B,) a curve's slope at its end knot: its end segment's own where the curve runs on straight,
    up to three times it (as steep as a monotone segment may start) as the next segment flattens
    or turns back. An open mouth's inner lips leave its corners steeply and flatten towards its
    middle; left straight, each end segment drew the opening as a lemon, its sides two straight cuts
    meeting at a point; started steeply, the opening rounds into its corners as a mouth does."""
    ratio = next_secant / torch.where(end_secant == 0.0, torch.ones_like(end_secant), end_secant)
    return end_secant * (1.0 + 2.0 * (1.0 - ratio).clamp(0.0, 1.0))


def to_local(points: torch.Tensor, origin: torch.Tensor, axes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, N, 2) image pixels → their u and v, (B, N) each, in the frame of `origin` (B, 2) and `axes`
    (B, 2, 2). Worked out a coordinate at a time: arithmetic that broadcasts a (B, 1, 2) pair over
    (B, N, 2) points runs torch's inner loop two elements long, over a window's pixels 15 times slower
    than the same arithmetic on (B, N) planes, and the (B, N, 2) @ (B, 2, 2) product this replaces was
    as slow; the bits came out the same (benchmarks/README.md, "Pixels as planes")."""
    x, y = points[..., 0] - origin[:, :1], points[..., 1] - origin[:, 1:]
    return tuple(x * axes[:, row, :1] + y * axes[:, row, 1:] for row in (0, 1))


@dataclass(frozen=True)
class Windows:
    """A fixed-size window per frame, placed around a feature and kept inside the frames.

    Positions are pixels of the portrait the renderer warps; the frames drawn may be only part of it
    (a face crop and no margin), their top-left pixel at `offset` there."""

    origins: torch.Tensor  # (B, 2) long: left, top, in portrait pixels
    height: int
    width: int
    offset: tuple[int, int] = (0, 0)  # left, top: where the frames' first pixel lies in the portrait

    @classmethod
    def around(cls, centres: torch.Tensor, size: tuple[int, int], image_size: tuple[int, int],
               offset: tuple[int, int] = (0, 0)) -> Windows:
        """centres (B, 2) pixels; size and image_size (height, width); offset: see the class."""
        height, width = min(size[0], image_size[0]), min(size[1], image_size[1])
        left = (centres[:, 0] - width / 2).round().clamp(offset[0], offset[0] + image_size[1] - width)
        top = (centres[:, 1] - height / 2).round().clamp(offset[1], offset[1] + image_size[0] - height)
        return cls(torch.stack([left, top], dim=-1).long(), height, width, offset)

    @classmethod
    def covering(cls, low: torch.Tensor, high: torch.Tensor, largest: tuple[int, int], image_size: tuple[int, int],
                 offset: tuple[int, int] = (0, 0), centres: torch.Tensor | None = None) -> Windows:
        """Windows of one size, just large enough for every frame's box from `low` to `high` ((B, 2)
        pixels), in steps of 8 pixels (few distinct shapes) and at most `largest` (height, width). A
        layer that computes every pixel alone draws the same pixels in these as in its largest
        windows, at a fraction of the cost when its feature is small (a closed mouth, an open eye).
        `centres` (B, 2): where the windows are centred, when not the boxes' middles."""
        extent = (high - low).amax(dim=0).ceil().long().tolist()  # (width, height)
        size = tuple(min(-(-length // 8) * 8, limit) for length, limit in zip(extent[::-1], largest, strict=True))
        return cls.around((low + high) / 2 if centres is None else centres, size, image_size, offset)

    def pixels(self) -> torch.Tensor:
        """(B, h·w, 2) pixel (x, y) of every window pixel, rows first (each coordinate added to its
        own plane: see to_local)."""
        device = self.origins.device
        steps = (torch.arange(self.width, device=device).repeat(self.height),
                 torch.arange(self.height, device=device).repeat_interleave(self.width))
        pixels = torch.empty((len(self.origins), self.height * self.width, 2), device=device)
        for step, origin, plane in zip(steps, self.origins.unbind(dim=-1), pixels.unbind(dim=-1), strict=True):
            torch.add(step, origin[:, None], out=plane)
        return pixels

    def rows_between(self, low: torch.Tensor, high: torch.Tensor) -> slice:
        """The part of the rows-first pixels (P) on the window rows from every frame's `low` to its
        `high` y ((B,) pixels), so a layer can skip the rows nothing it draws reaches."""
        top = self.origins[:, 1]
        first = int((low - top).floor().amin().clamp(0, self.height))
        last = int((high - top).ceil().amax().clamp(0, self.height - 1)) + 1
        return slice(first * self.width, max(first, last) * self.width)

    def crop(self, image: np.ndarray) -> torch.Tensor:
        """(1, 3, h, w) float of the first window's part of an (H, W, 3) uint8 image."""
        left, top = self._in_frames()[0]
        part = image[top:top + self.height, left:left + self.width]
        return torch.from_numpy(np.ascontiguousarray(part)).permute(2, 0, 1).float()[None]

    def gather(self, images: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) → (B, C, h, w) window contents."""
        return torch.stack([image[:, top:top + self.height, left:left + self.width]
                            for image, (left, top) in zip(images, self._in_frames(), strict=True)])

    def scatter(self, images: torch.Tensor, patches: torch.Tensor) -> None:
        """Writes (B, C, h, w) patches back into (B, C, H, W) images, in place."""
        for image, patch, (left, top) in zip(images, patches, self._in_frames(), strict=True):
            image[:, top:top + self.height, left:left + self.width] = patch

    def _in_frames(self) -> list[list[int]]:
        """Each window's left, top within the frames."""
        return (self.origins - self.origins.new_tensor(self.offset)).tolist()


def sample_at(source: torch.Tensor, positions: torch.Tensor, mode: str = "bilinear") -> torch.Tensor:
    """(1, C, H, W) source (or (B, C, H, W), one per frame), (B, P, 2) pixel positions → (B, C, P), bilinear
    (or `mode` "nearest": grain a blend would average away), edges repeated."""
    height, width = source.shape[-2:]
    # (B, 1, P, 2), align_corners=False; x and y apart, each scaled by a float32 number: the same bits
    # as a (2,) scale broadcast over the (B, P, 2) positions, without its two-element inner loop (to_local).
    grid = positions.new_empty(positions.shape)
    for coordinate, size, plane in zip(positions.unbind(dim=-1), (width, height), grid.unbind(dim=-1), strict=True):
        torch.sub((coordinate + 0.5) * float(np.float32(2.0 / size)), 1.0, out=plane)
    grid = grid[:, None]
    sampled = torch.nn.functional.grid_sample(source.expand(len(positions), -1, -1, -1), grid, mode=mode,
                                              padding_mode="border", align_corners=False)
    return sampled[:, :, 0]
