"""MouthInterior: what shows between the inner lips once the warp has moved them (DESIGN.md, "The
models → Renderer", "Lifelike, not merely measurable").

A warp alone stretches whatever lay between the source's lips (lip skin for a closed mouth, the
portrait's own teeth for an open one) across the whole new opening. Inside the current opening this
layer draws instead, front to back:
1. the portrait's own mouth interior, unstretched, in two rigid halves: the upper half rides with
   the upper lip (the upper teeth are fixed to the skull, and so, nearly, is the upper lip; a shut
   mouth's 'interior' is the line where its lips meet, which goes wherever the upper lip goes, or,
   drawn as a line, stays and fades as the lip lifts off it), the lower half with the jaw where it
   meets the upper and with the lower lip at the lip;
2. where neither half reaches — the lips parted beyond the source — a synthesised interior, all in
   the portrait's own colours and grain (MouthPalette): the upper row of teeth (TeethSprites) hung
   from the skull-fixed line of the upper lip, so the lip hides the crowns' tops and a raised lip
   bares more of them; the lower row on the jaw, hidden by the lower lip until the jaw opens wide;
   a cavity darker with depth and towards the corners, the tongue on its floor; the upper lip's
   soft shadow on the teeth; and the lips' wet inner surfaces where they roll inwards. Teeth are
   only synthesised for a portrait whose own mouth is (nearly) closed: one that shows its teeth
   keeps them, riding with the lips.
The lips themselves are redrawn as bands (lip_bands.py) from the portrait's crop, or from a copy of
it without what lay between them as a closure, a pucker or a parting asks (sealed_mouth.py: a shut
mouth's dark corners go as it parts, and the warped skin around them with them).
At the avatar's rest state the layer reproduces the portrait exactly.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from runtime.arkit import BLENDSHAPE_NAMES
from runtime.numerics import hermite_step
from runtime.render.edge_blur import edge_blur_px
from runtime.render.landmark_groups import LIPS
from runtime.render.lip_bands import LipBands, Reaches, Seam, covering
from runtime.render.mouth_palette import MouthPalette, grain_at, mouth_palette
from runtime.render.openings import (
    EDGE_SOFTNESS_PX,
    SOURCE_DILATION_PX,
    CurvePosition,
    Opening,
    Windows,
    left_to_right,
    sample_at,
)
from runtime.render.portrait_style import fine_detail_planes
from runtime.render.sealed_mouth import dark_corners, filled, inked_line_ends, pressed_line, sealed_lips
from runtime.render.teeth import Outline, teeth_sprites, warm_shade

# The layer's window (height, width) in mouth widths: room for a wide-open jaw, a smile and a turn.
WINDOW_MOUTH_WIDTHS = (1.3, 1.6)
# The opening's edge is as soft as the portrait's own edges (edge_blur.py): a ramp as steep as a step
# blurred by the portrait's σ is √(2π) σ wide. At most MAX_EDGE_SOFTNESS_PX: wider, the edge of a
# mouth parted a few pixels washes out its whole opening.
BLUR_TO_EDGE = math.sqrt(2.0 * math.pi)
MAX_EDGE_SOFTNESS_PX = 3.0
SOURCE_TEETH_SHOWN = (0.125, 0.14)  # source lip gaps (mouth widths) over which its own teeth take over
LOWER_TEETH_REVEAL = 0.07  # the lower row's biting edge above the lower lip when the jaw is wide open
# Lip gaps (mouth widths) over which the lower lip uncovers the lower row: none at a mid vowel (a
# sliver of crowns there read as a dotted grey seam), its front teeth at a shout.
WIDE_OPEN = (0.25, 0.5)
LOWER_ARCH_RISE = 0.4  # how much of the lower lip's rise towards the corners the lower row's edge follows
UPPER_LIP_SHADOW = 0.045  # the upper lip's soft shadow on the teeth below it, in mouth widths
INNER_LIP = (0.012, 0.03)  # the wet inner surfaces of the upper and lower lips, in mouth widths
# How much darker the teeth are at the opening's corners than at its middle (as the square of the way
# out): the lips around the opening shade them. Lit alike up to the corners, a smile's row ran bright
# into the corners and a funnel's small opening was one flat pale slab of teeth.
TEETH_CORNER_SHADE = 0.6
DRAWN_TEETH_SHADE = 0.6  # how much less a drawing (its outline measure 1) shades its teeth
# Behind fully rounded lips (lip_bands.rounding) the teeth are ROUNDED_TEETH_SHADE darker, and their shade
# towards the opening's corners (TEETH_CORNER_SHADE) goes ROUNDED_CORNER_SHADE of the rest of the way to black:
# pushed forward round a small opening, the lips shade the teeth set back behind them, the more the further from
# the light that comes in through its middle. Lit as in a smile, a funnel's teeth filled its opening from corner
# to corner, a bright row bared as in a grimace; darkened alike (renderer 65: half as bright), a round mouth's
# teeth were one dull grey-brown slab.
ROUNDED_TEETH_SHADE = 0.35
ROUNDED_CORNER_SHADE = 0.6
CORNER_SHADE = 0.5  # how much darker those surfaces are at the corners than at the middle
# The tongue: its top on the midline at this share of the opening's depth, lower by TONGUE_SIDE_DROP
# towards the corners (a mound), its edge soft over TONGUE_EDGE of the depth either side, and the
# groove down its middle this much darker. While it lay lower (0.62), smaller and dimmer (_tongue), a
# wide-open photo mouth showed it as a maroon band along the lower teeth under a dark hole, and
# FaceLandmarker read the opening less open: as here, the tuning set's jawOpen slopes rose (the coloured
# pencil in tortoise frames 0.28 -> 0.77, r 0.49 -> 0.98; the silver-framed stylised photo 0.73 -> 0.93).
TONGUE_TOP = 0.5
TONGUE_SIDE_DROP = 0.6
TONGUE_EDGE = 0.1
TONGUE_GROOVE = 0.1
# Lip gaps (mouth widths) over which the tongue comes into the light: in a mouth opened a little it
# lies in the dark, and a lit crescent along the lower lip read as a second lip inside it.
TONGUE_SHOWN = (0.12, 0.3)
SPLIT_SEARCH = (0.3, 0.95)  # depths of a source's opening searched for the line between its rows of teeth
GRAIN = 0.8  # how much of the portrait's own fine texture the interior carries
EDGE_LINE_PX = 1.2  # a drawn portrait's inner lip contour is a line this wide (then fading over as much again)
FLAT_LEVELS = 6  # a flat-colour portrait's interior in this many tones, from its darkest to its light
# The seam drawn where lips read without what lay between them meet (sealed_mouth.py): where the
# portrait draws lines or paints in flat colour, a line of its ink and grain this many pixels either side
# of where the lips meet, fading over SEAM_SOFTNESS_PX more, at SEAM_STRENGTH; where it does neither, only
# the fade, a soft shade of the dark just inside its lips at PHOTO_SEAM of that (a line there read as
# drawn on). A flat-colour cartoon shuts its mouth in a line of its darkest: with a photo's soft shade
# FaceLandmarker read the small cartoon's lips apart at two thirds of its p, b and m (closures 35 %, 83 %
# with the line).
SEAM_HALF_WIDTH_PX = 0.8
SEAM_SOFTNESS_PX = 1.6
SEAM_STRENGTH = 0.85
PHOTO_SEAM = 0.5
# The opening's middle gap (pixels) over which what is left of a sealing mouth's opening goes from the
# seam's colour to the interior: a sliver is the seam, a gap the lips have not closed shows what lies in it.
# Faded by the seal's strength alone, a p, b or m half sealed (the learned mouth's closures and their
# neighbours: 10 of 235 frames of the fidelity speech seal 0.46-0.78) showed a photo's own teeth 5-8 px
# tall, half way to the seam's dark: a flat grey-pink band.
SEAM_SLIVER_PX = (1.5, 4.0)
# Lip gaps (mouth widths, over the portrait's own) over which a shut mouth not drawn as a line reads its
# lips, and the skin the warp carries around them, without its dark corners (sealed_mouth.dark_corners).
PARTED = (0.0, 0.06)
# The style measure (the largest of outline, drawn and flat) over which a portrait counts as made of lines or flat
# shapes, whose parted lips' bands end at the corners: the test portraits measure 0 or 0.65 and more.
LINED = (0.25, 0.5)
INKED_LINE = 0.5  # PortraitStyle.inked from which a shut mouth's line is ink: its ends past the corners go, not shadow
# How far (mouth widths) the upper lip lifts off a shut mouth's line left where it was (a mouth drawn as a
# line) while the line fades from the opening: in a funnel a pencil drawing's strokes hung across its teeth.
LINE_HANG = (0.03, 0.06)
# How far beyond its own height (as a share of it) a portrait's own lower half, drawn out between the jaw and a
# lower lip dropped further (a funnel, mouthLowerDown), gives way to the synthesised interior. The astronaut's
# is an eighth of her opening's height at its middle; drawn out several times by a funnel (the CH, oh, ou and
# RR visemes' poses, a funnel from 0.15 at jaw 0.2), the tips of her upper teeth, which lie in it, ran down the
# opening as pale streaks, fangs at its sides. Her spread visemes keep it (E, DD, kk, ih), aa (mouthLowerDown
# 0.3) half.
LOWER_HALF_DRAWN_OUT = (0.5, 1.5)
JAW_SHAPES = tuple(float(name.startswith("jaw")) for name in BLENDSHAPE_NAMES)  # what moves the lower teeth


class MouthInterior(nn.Module):
    """Built once per avatar; forward() paints the interiors of a batch of warped frames in place."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray, palette: MouthPalette | None = None) -> None:
        """`palette`: the portrait's mouth_palette, when the caller has measured it already."""
        super().__init__()
        landmarks = np.asarray(landmarks, dtype=np.float64)
        upper = left_to_right(LIPS.inner_upper, landmarks)
        lower = left_to_right(LIPS.inner_lower, landmarks)
        self.register_buffer("upper_index", torch.tensor(upper))
        self.register_buffer("lower_index", torch.tensor(lower))
        self.register_buffer("corner_index", torch.tensor(left_to_right(LIPS.corners, landmarks)))
        self.register_buffer("source_upper", torch.from_numpy(landmarks[list(upper), :2]).float()[None])
        self.register_buffer("source_lower", torch.from_numpy(landmarks[list(lower), :2]).float()[None])
        right_corner, left_corner = LIPS.corners
        mouth_width = float(np.linalg.norm(landmarks[left_corner, :2] - landmarks[right_corner, :2]))
        self.window_size = tuple(max(8, round(widths * mouth_width)) for widths in WINDOW_MOUTH_WIDTHS)
        palette = mouth_palette(image, landmarks) if palette is None else palette
        for name in ("inner_lip", "cavity_edge", "cavity_deep", "tongue"):
            self.register_buffer(name, torch.tensor(getattr(palette, name), dtype=torch.float32)[None, :, None])
        self.register_buffer("grain", torch.from_numpy(palette.grain))
        self.register_buffer("shade_tint", torch.tensor(palette.shade_tint, dtype=torch.float32)[None, :, None])
        self.style = palette.style
        # A drawing does not shade its teeth so (they are paper between lines, as under the upper lip),
        # and one made of strokes not at all: its cavity's strokes do the shading (shaded, a pencil
        # drawing's teeth read narrower to FaceLandmarker: jawOpen r 0.93 -> 0.79 on the tuning set's).
        self.teeth_corner_shade = TEETH_CORNER_SHADE * (1.0 - max(DRAWN_TEETH_SHADE * self.style.outline,
                                                                  self.style.strokes))
        # The upper lip's shadow on the teeth: a drawing's less (its teeth are paper between lines).
        self.teeth_lip_shadow = 0.4 * (1.0 - DRAWN_TEETH_SHADE * self.style.outline)
        self.register_buffer("darkest", torch.tensor(palette.style.darkest, dtype=torch.float32)[None, :, None])
        self.register_buffer("ink", torch.tensor(palette.style.ink, dtype=torch.float32)[None, :, None])
        self.upper_teeth, self.lower_teeth = teeth_sprites(
            palette.teeth, palette.gum, mouth_width, Outline(palette.style.outline, tuple(palette.style.ink)),
            palette.shade_tint)
        self.edge_softness_px = float(np.clip(BLUR_TO_EDGE * edge_blur_px(image, landmarks), EDGE_SOFTNESS_PX,
                                              MAX_EDGE_SOFTNESS_PX))
        # A portrait that shows its own teeth keeps them (they ride with the lips); painting more would
        # double them. On paintings and drawings the landmarker parts shut lips by up to 0.07 mouth
        # widths (0.12 on one pencil drawing, which left it a third of its teeth: a toothless grey
        # hole), and teeth there are no brighter than paper or painted lips, so only a wide gap
        # counts (the test set's open mouths: 0.14 to 0.24).
        source_gap = float(np.max(landmarks[list(lower), 1] - landmarks[list(upper), 1])) / mouth_width
        self.synthetic_teeth = 1.0 - float(hermite_step(*SOURCE_TEETH_SHOWN, np.array(source_gap)))
        # A portrait that shows its own teeth: how far its interior's lower half rides with the jaw at the
        # line between its rows of teeth (see _lower_shift).
        self.rides_jaw = 1.0 - self.synthetic_teeth
        source, origin, split = self._source_halves(image)
        self.register_buffer("lip_edges", self._lip_edges(landmarks, split, origin, mouth_width))
        self.register_buffer("jaw_shapes", torch.tensor(JAW_SHAPES))
        self.register_buffer("split_knots", _split_at(split, self.source_lower[0], origin)[None, :, None])  # (1, K, 1)
        self.register_buffer("source", source)  # (1, 5, h, w): RGB, upper half, lower half
        self.rest_gap = float(self._lip_gap(self.source_upper, self.source_lower, torch.tensor([mouth_width])))
        self.register_buffer("source_origin", origin)  # (2,) where that crop sits in the portrait
        # Parted lips' bands reach round the corners as sealed lips' do (lip_bands._past_the_corners), but on a
        # portrait made of lines or flat shapes (LINED): carried round an opened mouth's tips, the ends of its
        # drawn mouth lengthened it, and FaceLandmarker read such mouths wider and less open (jawOpen slopes on
        # the tuning set: the open-mouthed pencil 0.55 -> 0.42, below the 0.5, the stylised portraits
        # 0.02-0.08 lower, the small cartoon 0.47 -> 0.40; the check set's painting's r 0.94 -> 0.88). There a
        # cut reads as a line's or a shape's end; in a photo's smooth skin, as the edge of a patch pasted over
        # the mouth. Not in part: half a reach blends two reads of the corner, a ghost of it.
        lined = max(self.style.outline, self.style.drawn, self.style.flat)
        self.lips = LipBands(landmarks, torch.from_numpy(landmarks[:, :2]).float()[None],
                             parted_reach=1.0 - float(hermite_step(*LINED, np.array(lined))))
        # The lips without what lies between them (sealed_mouth.py), as a change to the crop, read in
        # proportion to how sealed a frame is where the portrait shows its teeth (its corners' shadow
        # and outline would stay between the sealed lips), and to how pressed or rounded where it
        # draws its shut mouth as a line (pressed lips meet in a thin seam, where the drawn line's
        # width read as lips apart; rounded lips thicken and narrow, and the line, stretched with them,
        # broke into dark streaks down the lower lip): then one seam is drawn where the lips meet.
        self.lineless_shares = (1.0 - self.synthetic_teeth, self.synthetic_teeth * self.style.outline)
        read_lineless = max(self.lineless_shares) > 0.0
        self.register_buffer("lineless_change", self._lineless_change(landmarks) if read_lineless else None)
        # How far the mouth is shut and not drawn as a line: its lips read without its dark corners as far as
        # it is parted (_cornerless), and the line where they meet rides with the upper lip (_interior). A mouth
        # inked as a line by a portrait that is neither a drawing nor flat colour (a stylised photo) goes without
        # its line's ends past the corners instead (sealed_mouth.inked_line_ends): the warp drew them out into black
        # wedges beside an opening's tips.
        self.shut_unlined = self.synthetic_teeth * (1.0 - self.style.outline)
        self.inked_ends = self.style.inked >= INKED_LINE
        self.corner_fill = self.synthetic_teeth * self.style.inked if self.inked_ends else self.shut_unlined
        self.register_buffer("cornerless_change", self._cornerless_change(landmarks) if self.corner_fill else None)
        self.cornerless_reach = [] if self.cornerless_change is None else _read_reach(
            self.cornerless_change, self.source_origin)
        # A portrait made of strokes: the grain of the crop and of both changes, which the lips read from
        # the nearest pixel (_lips_grain).
        grained = self.style.strokes > 0.0
        for name, part in (("source_grain", source[:, :3]), ("lineless_grain", self.lineless_change),
                           ("cornerless_grain", self.cornerless_change)):
            self.register_buffer(name, self._grain_of(part) if grained else None)
        self.register_buffer("source_smooth", source[:, :3] - self.source_grain if grained else None)
        self.seam_line = max(self.style.outline, self.style.flat)  # how far the seam is a drawn line
        self.register_buffer("seam_colour", self.cavity_edge + (self.ink - self.cavity_edge) * self.seam_line)
        self.seam_strength = SEAM_STRENGTH * (PHOTO_SEAM + (1.0 - PHOTO_SEAM) * self.seam_line)
        self.seam_texture = GRAIN * float(self.style.texture_at_tone(np.array(float(self.seam_colour.mean()))))

    def _source_halves(self, image: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The portrait around its mouth, with masks of the interior's upper and lower halves, where
        that crop sits, and the depth (h, w) that splits the halves."""
        centre = ((self.source_upper + self.source_lower) / 2).mean(dim=1)  # (1, 2)
        windows = Windows.around(centre, self.window_size, image.shape[:2])
        opening = Opening.of(windows.pixels(), self.source_upper, self.source_lower, smooth=True)
        # Grown by as much as the opening's edge is wider than a pixel, so that at rest every pixel the
        # edge reaches reads the portrait's own (SOURCE_DILATION_PX).
        inside = opening.inside(SOURCE_DILATION_PX + (self.edge_softness_px - EDGE_SOFTNESS_PX) / 2)
        crop = windows.crop(image)
        split = _teeth_split(crop, opening.depth().reshape(windows.height, windows.width), inside.reshape(
            windows.height, windows.width))
        below_split = opening.depth() - split.reshape(1, -1)
        if self.rides_jaw > 0.0:
            # Rows of teeth: each half's edge at the split antialiased over a pixel reaching across the
            # split. Cut at it, the rows' edges were a pixel staircase once they parted (a sawtooth of her
            # lower teeth's tips along an opening jaw's lower lip). Each half still covers the other's ramp
            # whole, so at rest every pixel reads the portrait's own. Wider (the portrait's edge blur, 2-3 px
            # on a photo), the ramp carried what lies beyond the split as a pale glow under her upper teeth;
            # on a shut mouth, whose halves are its two lips, as a pale rim along the lower lip's inner edge.
            ramp = EDGE_SOFTNESS_PX / (opening.v_lower - opening.v_upper).clamp(min=1.0)  # (1, P) in depth
            upper_half = 1.0 - hermite_step(0.0, 1.0, below_split / ramp)
            lower_half = hermite_step(0.0, 1.0, below_split / ramp + 1.0)
        else:
            lower_half = (below_split >= 0.0).float()
            upper_half = 1.0 - lower_half
        masks = torch.stack([inside * upper_half, inside * lower_half], dim=1)  # (1, 2, P)
        source = torch.cat([crop, masks.reshape(1, 2, windows.height, windows.width)], dim=1)
        return source, windows.origins[0].float(), split

    def _lineless_change(self, landmarks: np.ndarray) -> torch.Tensor:
        """(1, 3, h, w) what the lips without what lies between them change in the crop (sealed_mouth.py):
        its cavity, or a shut mouth's drawn line, filled from around it, with the portrait's grain where
        the fill smoothed it away; a shut mouth's line, pressed thin, lies over the fill."""
        crop = self._source_crop()
        shut = self.synthetic_teeth >= 0.5  # its own teeth do not show: the 'cavity' is its mouth's line
        fill, mask = sealed_lips(crop, landmarks[:, :2] - self.source_origin.numpy(), shut,
                                 self.edge_softness_px)
        fill = self._grained(fill, mask)
        if shut:  # the line itself, pressed thin, over the fill: its ends meet the corners as drawn
            line, core = pressed_line(crop, mask)
            line = torch.from_numpy(line).permute(2, 0, 1).reshape(1, 3, -1)
            fill = fill + torch.from_numpy(core).reshape(1, 1, -1) * (line - fill)
        return fill.reshape(self.source[:, :3].shape) - self.source[:, :3]

    def _cornerless_change(self, landmarks: np.ndarray) -> torch.Tensor | None:
        """(1, 3, h, w) what filling a shut mouth's dark corners (sealed_mouth.dark_corners), or an inked line's
        ends (inked_line_ends), changes in the crop, or None where it has none."""
        crop = self._source_crop()
        find = inked_line_ends if self.inked_ends else dark_corners  # an inked line is dark from end to end
        mask = find(crop, landmarks[:, :2] - self.source_origin.numpy())
        if not mask.any():
            return None
        fill = self._grained(filled(crop, mask), mask.astype(np.float32))
        return fill.reshape(self.source[:, :3].shape) - self.source[:, :3]

    def _source_crop(self) -> np.ndarray:
        """(h, w, 3) uint8 the portrait around its mouth (`source`)."""
        return self.source[0, :3].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).numpy()

    def _grained(self, fill: np.ndarray, mask: np.ndarray) -> torch.Tensor:
        """(1, 3, h·w) a filled crop ((h, w, 3) float32) with the portrait's grain where the fill
        (mask, (h, w) float32) smoothed it away."""
        height, width = mask.shape
        fill = torch.from_numpy(fill).permute(2, 0, 1).reshape(1, 3, -1)
        pixels = Windows(self.source_origin.long()[None], height, width).pixels()
        return fill + torch.from_numpy(mask).reshape(1, 1, -1) * self._texture(fill, pixels)[:, None]

    def _lip_edges(self, landmarks: np.ndarray, split: torch.Tensor, origin: torch.Tensor, mouth_width: float
                   ) -> torch.Tensor:
        """(2, K, 2) how far below the upper inner contour, and above the lower one, the portrait's lips
        really meet, in mouth widths along and across the mouth (SkullMouth's frame): on a shut mouth
        that the landmarker reads parted (0.12 mouth widths on a pencil drawing) the 'interior' between
        the contours is lip, and it rides with the lips; teeth hung from the contour would hide behind
        it, leaving a toothless hole. Zero for a portrait that shows its own teeth."""
        upper = torch.from_numpy(landmarks[list(self.upper_index.tolist()), :2]).float()
        lower = torch.from_numpy(landmarks[list(self.lower_index.tolist()), :2]).float()
        depth = _split_at(split, upper, origin)[:, None]  # (K, 1)
        right_corner, left_corner = LIPS.corners
        along = torch.from_numpy(landmarks[left_corner, :2] - landmarks[right_corner, :2]).float()
        along = along / along.norm()
        axes = torch.stack([along, torch.stack([-along[1], along[0]])])  # rows: x and y of the mouth's frame
        gap = (lower - upper) @ axes.T / mouth_width  # (K, 2)
        return self.synthetic_teeth * torch.stack([depth * gap, (depth - 1.0) * gap])

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                offset: tuple[int, int] = (0, 0), rounded: torch.Tensor | None = None,
                sealed: torch.Tensor | None = None, warped_from: torch.Tensor | None = None,
                jaw_points: torch.Tensor | None = None) -> None:
        """frames (B, 3, H, W) float 0..255, changed in place; points (B, 478, 2) the frames' landmarks;
        skull_points (B, 478, 2) the same heads at the rest expression (where the teeth are); offset:
        where the frames' top-left pixel lies in the portrait (openings.Windows); rounded (B,) how
        rounded the lips are (lip_bands.rounding), sealed (B,) how fully they meet (LipSeal.strength),
        None for not at all; warped_from (B, 2, H, W) where the warp read each frame pixel (x and y
        planes, the portrait's pixels), for the skin around a parted mouth's corners (`_cornerless`);
        jaw_points (B, 478, 2) the heads with only their jaws moved (for a portrait showing its own teeth,
        whose lower row rides with the jaw: `_lower_shift`), None for the lips' own motion."""
        upper, lower = points[:, self.upper_index], points[:, self.lower_index]  # (B, K, 2)
        corners = points[:, self.corner_index]
        mouth_width = (corners[:, 1] - corners[:, 0]).norm(dim=-1)  # (B,)
        reaches = self.lips.reaches(points, mouth_width)
        windows = self._windows(reaches, frames.shape[-2:], offset)
        pixels = windows.pixels()
        shape = (len(frames), -1, windows.height, windows.width)
        patch = windows.gather(frames).reshape(len(frames), 3, -1)  # (B, 3, P)
        rounded = torch.zeros_like(mouth_width) if rounded is None else rounded
        sealed = torch.zeros_like(rounded) if sealed is None else sealed
        lineless_share = self._lineless_share(sealed, rounded)
        corner_share = self._corner_share(points, mouth_width, rounded)
        lips_source, seam = self._lineless(lineless_share, sealed)
        lips_source = self._cornerless(lips_source, corner_share, patch, windows, warped_from)
        grain = self._lips_grain(lineless_share, corner_share)
        if grain is not None:  # the lips read the crop less its grain blended, and the grain from the nearest pixel
            lips_source = self.source_smooth if lips_source is self.source else lips_source[:, :3] - grain
        self.lips.draw(patch, windows, pixels, points, reaches, mouth_width, lips_source, self.source_origin, rounded,
                       sealed, seam, grain)
        # The opening only on the window's rows it can reach (every pixel is computed alone, and beyond
        # them `inside` gives exactly 0), and the interior only where some frame of the batch shows it:
        # a mouth half open shows it in a fifth of the window.
        rows = windows.rows_between(*Opening.rows_reached(upper, lower, self.edge_softness_px, smooth=True))
        opening = Opening.of(pixels[:, rows], upper, lower, smooth=True)
        alpha = opening.inside(softness_px=self.edge_softness_px)  # (B, rows' P)
        shown_in_rows = torch.nonzero((alpha > 0.0).any(dim=0)).squeeze(1)  # (K,)
        shown = shown_in_rows + rows.start
        if len(shown):
            # The jaw's own motion at the lower lip: the jaw-moved heads less the heads at rest.
            jaw_motion = None if jaw_points is None else \
                jaw_points[:, self.lower_index] - skull_points[:, self.lower_index]
            interior = self._interior(opening.at(shown_in_rows), pixels[:, shown], upper, lower, skull_points,
                                      rounded, jaw_motion)
            if seam is not None:  # what is left of a closing mouth's opening is the seam, not a sliver of teeth
                sliver = 1.0 - hermite_step(*SEAM_SLIVER_PX, self._middle_gap_px(upper, lower))  # (B,)
                interior = interior + (seam.colour - interior) * (seam.closed * sliver)[:, None, None]
            patch[:, :, shown] += alpha[:, None, shown_in_rows] * (interior - patch[:, :, shown])
        windows.scatter(frames, patch.reshape(shape))

    def _lineless_share(self, sealed: torch.Tensor, rounded: torch.Tensor) -> torch.Tensor | None:
        """(B,) how far each frame, sealed by `sealed` and rounded by `rounded` ((B,) each), reads its lips
        without what lies between them (`lineless_shares`); None where none does."""
        if self.lineless_change is None:
            return None
        open_share, line_share = self.lineless_shares
        share = open_share * sealed + line_share * torch.maximum(rounded, sealed)
        return share if bool((share > 0.0).any()) else None

    def _corner_share(self, points: torch.Tensor, mouth_width: torch.Tensor, rounded: torch.Tensor
                      ) -> torch.Tensor | None:
        """(B,) how far each frame reads a shut mouth's lips without its dark corners (or an inked line's ends):
        as far as it is parted (PARTED; an inked line's, or rounded by `rounded`, (B,)) and the mouth is shut
        (`corner_fill`); None where none does."""
        if self.cornerless_change is None:
            return None
        gap = self._lip_gap(points[:, self.upper_index], points[:, self.lower_index], mouth_width)
        gone = hermite_step(*PARTED, gap - self.rest_gap)  # as far as the lips part
        if self.inked_ends:  # a rounding mouth's inked line's ends roll away with the lips' (lip_bands.LIP_END_ROLL)
            gone = torch.maximum(gone, rounded)
        return self.corner_fill * gone if bool((gone > 0.0).any()) else None

    def _lineless(self, share: torch.Tensor | None, sealed: torch.Tensor) -> tuple[torch.Tensor, Seam | None]:
        """The crop the lips read ((1 or B, C, h, w)) and their seam, for frames reading the lips without
        what lies between them by `share` (`_lineless_share`) and sealed by `sealed` ((B,)): the
        portrait's own crop and no seam for none."""
        if share is None:
            return self.source, None
        lips_source = self.source[:, :3] + share[:, None, None, None] * self.lineless_change
        open_share, _ = self.lineless_shares
        return lips_source, Seam(open_share * sealed, self.seam_strength * share, self.seam_colour,
                                 SEAM_HALF_WIDTH_PX * self.seam_line, SEAM_SOFTNESS_PX, self.grain,
                                 self.seam_texture)

    def _cornerless(self, lips_source: torch.Tensor, share: torch.Tensor | None, patch: torch.Tensor,
                    windows: Windows, warped_from: torch.Tensor | None) -> torch.Tensor:
        """The crop the lips read ((1 or B, C, h, w)) without the mouth's dark corners by `share`
        (`_corner_share`); the same change made to the warped skin in `patch` ((B, 3, P), the window's
        pixels, changed in place) where the warp read them from (`warped_from`): the corners reach past
        the lips' bands, and there only the warp draws them."""
        if share is None:
            return lips_source
        share = share[:, None, None]  # (B, 1, 1)
        if warped_from is not None:
            # Only the window's pixels that some frame read from around the corners: a frame's own are
            # all of those it read from there, so a frame gets the same pixels alone or in any batch
            # (bilinear reads of the change elsewhere are exactly 0, and adding 0 changes no pixel).
            planes = windows.gather(warped_from).flatten(2)  # (B, 2, P) portrait x and y
            read = torch.zeros_like(planes[:, 0], dtype=torch.bool)  # (B, P)
            for low_x, low_y, high_x, high_y in self.cornerless_reach:  # each corner's box
                read |= ((planes[:, 0] >= low_x) & (planes[:, 0] <= high_x) & (planes[:, 1] >= low_y)
                         & (planes[:, 1] <= high_y))
            near = torch.nonzero(read.any(dim=0)).squeeze(1)  # (K,)
            grid = planes[:, :, near].transpose(1, 2)  # (B, K, 2)
            sources = grid - self.source_origin
            patch[:, :, near] += share * sample_at(self.cornerless_change, sources)
        return lips_source[:, :3] + share[..., None] * self.cornerless_change

    def _lips_grain(self, lineless_share: torch.Tensor | None, corner_share: torch.Tensor | None
                    ) -> torch.Tensor | None:
        """(1 or B, 3, h, w) the grain of the crop the lips read, made as that crop is (`_lineless`,
        `_cornerless`) from the grain of each part: the lips read it from the nearest pixel as the warp
        reads the face's (warp_renderer._grain_split: a moving drawing's lips, blended smooth, showed as
        a smooth patch in its grainy face). None for a portrait not made of strokes."""
        if self.source_grain is None:
            return None
        grain = self.source_grain
        if lineless_share is not None:
            grain = grain + lineless_share[:, None, None, None] * self.lineless_grain
        if corner_share is not None:
            grain = grain + corner_share[:, None, None, None] * self.cornerless_grain
        return grain

    def _grain_of(self, crop: torch.Tensor | None) -> torch.Tensor | None:
        """(1, 3, h, w) → as much of its fine detail as the portrait is made of strokes (portrait_style.fine_detail)."""
        if crop is None:
            return None
        return self.style.strokes * fine_detail_planes(crop)

    def _windows(self, reaches: Reaches, frame_size: tuple[int, int], offset: tuple[int, int]) -> Windows:
        """What the layer draws: the lips' bands and the opening between them (lip_bands.covering)."""
        low, high = covering(reaches)
        return Windows.covering(low, high, self.window_size, frame_size, offset)

    def _interior(self, opening: Opening, pixels: torch.Tensor, upper: torch.Tensor, lower: torch.Tensor,
                  skull_points: torch.Tensor, rounded: torch.Tensor, jaw_motion: torch.Tensor | None = None
                  ) -> torch.Tensor:
        """(B, 3, P) the portrait's own interior riding with the lips, over the synthesised one (`rounded`
        (B,): how rounded the lips are)."""
        # The upper teeth are fixed to the skull, the lower ones ride on the jaw (_lower_shift). What
        # lies between a shut mouth's lips is no teeth but the line where they meet, and it rides with the
        # upper lip itself: held to the skull, a lifted lip (a funnel, a sneer) left it across the teeth as
        # a red line. A mouth drawn as a line keeps it there (split between the lips, a pencil drawing's
        # line thinned and paled with every smile: FaceLandmarker's smile read-back fell 0.95 → 0.85), and
        # it fades as the lip lifts off it (LINE_HANG).
        skull_upper = skull_points[:, self.upper_index]
        held = skull_upper + self.shut_unlined * (upper - skull_upper)
        upper_shift = opening.upper_at.read(held - self.source_upper)
        rides_upper = pixels - upper_shift - self.source_origin
        rides_lower = pixels - self._lower_shift(opening, lower, jaw_motion, upper_shift) - self.source_origin
        from_upper, from_lower = sample_at(self.source, rides_upper), sample_at(self.source, rides_lower)
        upper_mask = from_upper[:, 3:4] * self._line_shown(opening, held)  # (B, 1, P)
        lower_mask = from_lower[:, 4:5] * self._own_lower_shown(lower, skull_points, jaw_motion)
        synthesised = self._synthesised(opening, pixels, upper, lower, skull_points, rounded)
        behind_upper = lower_mask * from_lower[:, :3] + (1.0 - lower_mask) * synthesised
        return upper_mask * from_upper[:, :3] + (1.0 - upper_mask) * behind_upper

    def _lower_shift(self, opening: Opening, lower: torch.Tensor, jaw_motion: torch.Tensor | None,
                     upper_shift: torch.Tensor) -> torch.Tensor:
        """(B, P, 2) how far the interior's lower half has moved at each pixel: with the lower lip, or,
        where the portrait shows its own teeth, with the jaw at the line between its rows of teeth and
        with the lower lip at the lip, stretched between. The lower teeth are the jaw's: riding with the
        lower lip alone, they parted from the skull-fixed upper row whenever only the lips moved (a
        stretch, a frown, a smile less wide than the portrait's), and the cavity showed between the rows
        as a black line across the teeth. The jaw opening parts them as it should. The jaw's motion is
        its own (`jaw_motion`, (B, K, 2) at the lower lip's knots) added to the upper row's
        (`upper_shift`, (B, P, 2)): read from the lower lip's own turned rest, a turned head's lower
        row slid off the upper by a pixel (the lips' contours turn at different depths), a thin dark
        line across the teeth again."""
        with_lip = opening.lower_at.read(lower - self.source_lower)
        if jaw_motion is None or self.rides_jaw == 0.0:
            return with_lip
        with_jaw = upper_shift + opening.lower_at.read(jaw_motion)
        split = opening.lower_at.read(self.split_knots.expand(len(lower), -1, -1))[..., 0]  # (B, P)
        towards_lip = ((opening.depth() - split) / (1.0 - split).clamp(min=1e-3)).clamp(0.0, 1.0)
        stretched = with_jaw + towards_lip[..., None] * (with_lip - with_jaw)
        return with_lip + self.rides_jaw * (stretched - with_lip)

    def _own_lower_shown(self, lower: torch.Tensor, skull_points: torch.Tensor,
                         jaw_motion: torch.Tensor | None) -> torch.Tensor | float:
        """(B, 1, 1) how much of a portrait's own lower half (`_lower_shift`) still shows, by how far it is
        drawn out between the jaw and the lower lip at the mouth's middle (LOWER_HALF_DRAWN_OUT): the
        lower lip's motion beyond the jaw's, over the half's height at rest, both in the frame's head
        (`skull_points`, (B, 478, 2), the heads at rest; the lower lip's contour `lower` (B, K, 2)), so a
        turned head draws nothing out. Measured at the contours' middle knots, not per pixel: per pixel,
        the half gave way in patches with hard edges between them, as the lip's drop varies along the
        mouth."""
        if jaw_motion is None or self.rides_jaw == 0.0:
            return 1.0
        middle = lower.shape[1] // 2
        rest_lower, rest_upper = skull_points[:, self.lower_index[middle]], skull_points[:, self.upper_index[middle]]
        drop = (lower[:, middle] - rest_lower - jaw_motion[:, middle]).norm(dim=-1)  # (B,) the lip's own motion
        height = (1.0 - self.split_knots[0, middle, 0]) * (rest_lower - rest_upper).norm(dim=-1)
        drawn_out = drop / height.clamp(min=1.0)
        return 1.0 - self.rides_jaw * hermite_step(*LOWER_HALF_DRAWN_OUT, drawn_out)[:, None, None]

    def _line_shown(self, opening: Opening, held: torch.Tensor) -> torch.Tensor | float:
        """(B, 1, P) how much of a shut mouth's line, held where `held` ((B, K, 2), the upper lip's
        contour it rides with) has it, still shows as the opening's upper lip lifts off it (LINE_HANG);
        1 where the portrait shows its own teeth, which stay however far the lip lifts."""
        if self.synthetic_teeth == 0.0:
            return 1.0
        lift = (opening.upper_line_of(held) - opening.v_upper) / (2.0 * opening.half_width)  # (B, P) mouth widths
        return (1.0 - self.synthetic_teeth * hermite_step(*LINE_HANG, lift))[:, None]

    def _synthesised(self, opening: Opening, pixels: torch.Tensor, upper: torch.Tensor, lower: torch.Tensor,
                     skull_points: torch.Tensor, rounded: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) teeth, tongue and cavity for every window pixel (only those inside the opening show);
        `rounded` (B,) how rounded the lips are (ROUNDED_TEETH_SHADE)."""
        mouth = SkullMouth.of(skull_points[:, self.corner_index], skull_points[:, self.upper_index], self.lip_edges[0])
        x, below_line = mouth.coordinates(pixels)  # (B, P) mouth widths, fixed to the skull
        gap = self._lip_gap(upper, lower, mouth.width_px)[:, None]  # (B, 1)
        lateral = opening.lateral()  # (B, P) 0 on the midline, 1 at the corners
        colour = self._cavity(opening.depth(), lateral, hermite_step(*TONGUE_SHOWN, gap))
        lower_edge = self._lower_row_edge(x, mouth.local(lower) + self.lip_edges[1]) \
            - LOWER_TEETH_REVEAL * hermite_step(*WIDE_OPEN, gap)
        lower_teeth = self.lower_teeth.sample(x, below_line + mouth.line_at(x, mouth.rest_upper) - lower_edge)
        rounded = rounded[:, None]
        corner_shade = self.teeth_corner_shade + (1.0 - self.teeth_corner_shade) * ROUNDED_CORNER_SHADE * rounded
        light = (1.0 - corner_shade * lateral**2) * (1.0 - ROUNDED_TEETH_SHADE * rounded)
        lit = warm_shade(light[:, None], self.shade_tint)  # (B, 3, P)
        colour = _over(_shaded(lower_teeth, lit), colour, self.synthetic_teeth)
        # A portrait that shows its own teeth still needs the crowns' tops and the gum that a lifted
        # lip bares above them: the upper row is drawn there, above the lip's rest line, for every source.
        above_line = 1.0 - hermite_step(-0.02, 0.0, below_line)
        strength = self.synthetic_teeth + (1.0 - self.synthetic_teeth) * above_line
        colour = _over(_shaded(self.upper_teeth.sample(x, below_line), lit), colour, strength[:, None])
        width_px = mouth.width_px[:, None]  # (B, 1)
        under_upper = opening.below_upper() / width_px  # (B, P) mouth widths below the upper lip
        above_lower = opening.above_lower() / width_px
        shadow = self.teeth_lip_shadow
        lip_shade = 1.0 - shadow + shadow * hermite_step(0.0, UPPER_LIP_SHADOW, under_upper)
        colour = colour * warm_shade(lip_shade[:, None], self.shade_tint)
        inner_lip = torch.maximum(1.0 - hermite_step(0.0, INNER_LIP[0], under_upper),
                                  1.0 - hermite_step(0.0, INNER_LIP[1], above_lower))
        # The lips' inner surfaces turn away into the corners' shadow, as the cavity does: lit alike
        # from corner to corner they drew a light rim up the open mouth's sides.
        lip_colour = self.inner_lip * (1.0 - CORNER_SHADE * lateral**2)[:, None]
        colour = colour + (lip_colour - colour) * inner_lip[:, None]
        if self.style.outline > 0.0:  # the portrait draws lines: the lips' inner contour is one
            edge_px = torch.minimum(under_upper, above_lower) * width_px
            line = self.style.outline * (1.0 - hermite_step(EDGE_LINE_PX, 2.0 * EDGE_LINE_PX, edge_px))
            colour = colour + (self.ink - colour) * line[:, None]
        return self._in_style(colour, pixels)

    def _in_style(self, colour: torch.Tensor, pixels: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) the synthesised interior made the way the portrait is made (PortraitStyle): no
        darker than a drawing's darkest tone (pencil on paper never reaches black), carrying the
        portrait's texture at each tone (a pencil drawing's shading is strokes, a photo's nearly
        smooth), in flat tones where it paints in flat colour."""
        style = self.style
        floor = self.darkest * style.outline
        colour = floor + colour * (1.0 - floor / 255.0)
        colour = colour + self._texture(colour, pixels)[:, None]
        if style.flat > 0.0:
            colour = colour + (_posterised(colour, floor, style.light) - colour) * style.flat
        return colour

    def _texture(self, colour: torch.Tensor, pixels: torch.Tensor) -> torch.Tensor:
        """(B, P) the portrait's grain for (B, 3, P) colours at pixels (B, P, 2), as strong as its texture
        is at their tones (PortraitStyle.texture_at_tone)."""
        return GRAIN * self.style.texture_at_tone(colour.mean(dim=1)) * grain_at(self.grain, pixels)

    def _cavity(self, depth: torch.Tensor, lateral: torch.Tensor, tongue_shown: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) the inside of the mouth: darker with depth and towards the corners, the tongue on
        its floor lit at its front, and the lower lip's shadow."""
        hollow = (1.0 - lateral**2) * torch.sin(math.pi * depth).clamp(min=0.0).sqrt()
        cavity = self.cavity_edge + (self.cavity_deep - self.cavity_edge) * hollow[:, None]
        cavity = cavity * (1.0 - 0.5 * lateral**4)[:, None]
        # A drawing's tongue too, in its paper's tone (mouth_palette): without one its open mouth was one
        # dark mass of strokes whose lower half FaceLandmarker took for a dark drawn lower lip, reading
        # the pencil drawings' jaw nearly shut at every opening (jawOpen slopes 0.13-0.23 on the tuning
        # set's three; 0.35-0.66 with the tongue). It was left out once when a smaller, dimmer mound
        # read as the lower lip.
        below_top = depth - (TONGUE_TOP + TONGUE_SIDE_DROP * lateral**2)  # (B, P) depth below the tongue's top
        cover = self._tongue_cover(below_top, lateral) * tongue_shown
        cavity = cavity + (self._tongue(below_top, lateral) - cavity) * cover[:, None]
        return cavity * (1.0 - 0.3 * hermite_step(0.8, 1.0, depth))[:, None]

    @staticmethod
    def _tongue_cover(below_top: torch.Tensor, lateral: torch.Tensor) -> torch.Tensor:
        """(B, P) 0..1 where the tongue shows: a mound on the cavity's floor, highest on the midline
        (TONGUE_TOP of the opening's depth) and falling away to the sides, its top edge soft by a
        pixel or two; it fades out short of the corners, where the cheeks hide it."""
        return hermite_step(-TONGUE_EDGE, TONGUE_EDGE, below_top) * (1.0 - hermite_step(0.6, 0.9, lateral))

    def _tongue(self, below_top: torch.Tensor, lateral: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) the tongue's colour: lit from above, coming into the light below its top edge (there
        it curves back into the dark; a lit crisp top edge read as a flat band laid in the mouth), darker
        towards the front (the lower lip's shadow) and along the groove down its middle; lit, nearly
        the lips' colour (the palette's tongue)."""
        lit = hermite_step(0.0, 0.2, below_top) * (1.0 - 0.4 * hermite_step(0.2, 0.4, below_top))
        groove = 1.0 - TONGUE_GROOVE * (1.0 - hermite_step(0.0, 0.15, lateral))
        return self.tongue * ((0.5 + 0.5 * lit) * groove)[:, None]

    @staticmethod
    def _lower_row_edge(x: torch.Tensor, lip: torch.Tensor) -> torch.Tensor:
        """(B, P) where the lower row's biting edge stands at each x: level with the lower lip's edge
        (lip, (B, K, 2) in the mouth's frame) at the midline, and following only part of the lip's
        rise towards the corners. The biting edges of a lower arch run nearly level across the front,
        so as the lower lip drops into a U the side teeth stay behind it: teeth that followed the
        lip all the way showed as a grey band up the opening's sides."""
        along = SkullMouth.line_at(x, lip)
        middle = SkullMouth.line_at(torch.zeros_like(x[:, :1]), lip)  # (B, 1)
        return middle + LOWER_ARCH_RISE * (along - middle)

    @staticmethod
    def _lip_gap(upper: torch.Tensor, lower: torch.Tensor, width_px: torch.Tensor) -> torch.Tensor:
        """(B,) how far apart the lips' middles are, in mouth widths of `width_px` ((B,) pixels)."""
        return MouthInterior._middle_gap_px(upper, lower) / width_px.clamp(min=1e-3)

    @staticmethod
    def _middle_gap_px(upper: torch.Tensor, lower: torch.Tensor) -> torch.Tensor:
        """(B,) how far apart the inner lips' middles are, in pixels (upper and lower (B, K, 2))."""
        middle = upper.shape[1] // 2
        return (lower[:, middle] - upper[:, middle]).norm(dim=-1)


class SkullMouth:
    """The mouth's frame fixed to the skull (the head at the rest expression): origin between the
    lip corners, x along them and y down across them, both in mouth widths."""

    def __init__(self, origin: torch.Tensor, axes: torch.Tensor, width_px: torch.Tensor,
                 rest_upper: torch.Tensor) -> None:
        self.origin, self.axes, self.width_px = origin, axes, width_px  # (B, 2), (B, 2, 2), (B,)
        self.rest_upper = rest_upper  # (B, K, 2) the upper lip at rest, in this frame

    @classmethod
    def of(cls, corners: torch.Tensor, rest_upper: torch.Tensor, lip_edge: torch.Tensor | float = 0.0) -> SkullMouth:
        """corners (B, 2, 2) left to right in the image; rest_upper (B, K, 2) pixels; lip_edge (K, 2)
        where the upper lip's edge really lies from its inner contour, in this frame (mouth widths)."""
        span = corners[:, 1] - corners[:, 0]
        width = span.norm(dim=-1).clamp(min=1e-3)
        along = span / width[:, None]
        axes = torch.stack([along, torch.stack([-along[:, 1], along[:, 0]], dim=-1)], dim=1)
        mouth = cls(corners.mean(dim=1), axes, width, rest_upper)
        mouth.rest_upper = mouth.local(rest_upper) + lip_edge
        return mouth

    def local(self, points: torch.Tensor) -> torch.Tensor:
        """(B, N, 2) pixels → mouth widths in this frame."""
        return (points - self.origin[:, None]) @ self.axes.transpose(1, 2) / self.width_px[:, None, None]

    def coordinates(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, P, 2) pixels → x and the distance below the upper lip's rest line, (B, P) each."""
        x, y = self.local(pixels).unbind(dim=-1)
        return x, y - self.line_at(x, self.rest_upper)

    @staticmethod
    def line_at(x: torch.Tensor, curve: torch.Tensor) -> torch.Tensor:
        """(B, P) a curve's y at each x (B, P), held at its end values beyond its ends."""
        knots = curve[..., 0]  # (B, K) increasing
        held = x.clamp(min=knots[:, :1], max=knots[:, -1:] - 1e-4)
        return CurvePosition.of(held, knots).read(curve[..., 1:]).squeeze(-1)


def _read_reach(change: torch.Tensor, origin: torch.Tensor) -> list[tuple[float, float, float, float]]:
    """For each side of a (1, C, h, w) change lying at `origin` (2,) in a portrait — its non-zero
    pixels left and right of their middle column, a mouth's two corners — the least and the greatest
    pixel position (x, y) in the portrait where a bilinear read of the change with its edges repeated
    (sample_at) can give anything but 0: the side's box grown by the pixel a read blends in and one
    more (no rounding decides it), without end where the box reaches the change's edge: (low x, low y,
    high x, high y)."""
    rows, columns = torch.nonzero(change[0].abs().amax(dim=0), as_tuple=True)
    height, width = change.shape[-2:]
    middle = (int(columns.min()) + int(columns.max())) / 2
    boxes = []
    for side in (columns <= middle, columns > middle):
        if not bool(side.any()):  # all on one side: the other's box is that one again
            side = torch.ones_like(side)
        xs, ys = columns[side], rows[side]
        low = [float(values.min()) - 2.0 if int(values.min()) > 0 else -math.inf for values in (xs, ys)]
        high = [float(values.max()) + 2.0 if int(values.max()) < size - 1 else math.inf
                for values, size in ((xs, width), (ys, height))]
        boxes.append([low, high])
    pixels = torch.tensor(boxes, dtype=torch.float64) + origin.double()  # (2, 2, 2) portrait pixels
    return [tuple(box) for box in pixels.flatten(1).tolist()]


def _posterised(colour: torch.Tensor, floor: torch.Tensor, light: float) -> torch.Tensor:
    """(B, 3, P) colours in FLAT_LEVELS flat tones (their luminance stepped, their hue kept) between a
    floor (B or 1, 3, 1) and the light; each step is a pixel or so wide rather than hard, so the flat
    areas' edges do not alias."""
    luminance = colour.mean(dim=1, keepdim=True)
    bottom = floor.mean(dim=1, keepdim=True)
    steps = (luminance - bottom) / max(light - float(bottom.max()), 1.0) * (FLAT_LEVELS - 1)
    lower = steps.floor()
    stepped = lower + hermite_step(0.4, 0.6, steps - lower)
    target = bottom + stepped / (FLAT_LEVELS - 1) * max(light - float(bottom.max()), 1.0)
    return colour * (target / luminance.clamp(min=1.0))


def _shaded(layer: torch.Tensor, light: torch.Tensor) -> torch.Tensor:
    """Premultiplied (B, 4, P) layer, its colour times `light` ((B, 1 or 3, P)) in place, its alpha as it was."""
    layer[:, :3] *= light
    return layer


def _over(layer: torch.Tensor, below: torch.Tensor, strength) -> torch.Tensor:
    """Premultiplied (B, 4, P) layer over (B, 3, P), at a strength (a number, or (B, 1, P))."""
    alpha = layer[:, 3:4] * strength
    return layer[:, :3] * strength + (1.0 - alpha) * below


def _split_at(split: torch.Tensor, points: torch.Tensor, origin: torch.Tensor) -> torch.Tensor:
    """(K,) the depth of the line between the rows of teeth (`_teeth_split`'s (h, w), one depth per
    column of the crop at `origin`) at the columns of (K, 2) points in the portrait's pixels."""
    columns = (points[:, 0] - origin[0]).round().long().clamp(0, split.shape[1] - 1)
    return split[0, columns]


def _teeth_split(crop: torch.Tensor, depth: torch.Tensor, inside: torch.Tensor) -> torch.Tensor:
    """(h, w) depth in the source's opening below which its interior belongs to the upper teeth: the
    line where the upper incisors end, found as the darkest depth of each column between the rows of
    teeth and fitted with a smooth curve along the mouth (the gaps between neighbouring teeth are
    dark too, so single columns mislead). Splitting at half depth instead would cut the upper teeth
    in two, and an opening jaw would carry their lower half away with the lower lip."""
    brightness = crop[0].mean(dim=0).double()  # (h, w)
    depth = depth.double()
    candidates = (inside > 0.5) & (depth >= SPLIT_SEARCH[0]) & (depth <= SPLIT_SEARCH[1])
    columns = torch.nonzero(candidates.sum(dim=0) >= 2).flatten()
    if len(columns) < 6:
        return torch.full_like(depth, 0.5).float()
    darkness = torch.where(candidates, brightness, torch.full_like(brightness, float("inf")))[:, columns]
    splits = depth[darkness.argmin(dim=0), columns]  # (C,)
    u = (columns.double() - columns.double().mean()) / max(float(columns.max() - columns.min()), 1.0) * 2.0
    design = torch.stack([torch.ones_like(u), u, u * u], dim=1)  # (C, 3) a quadratic along the mouth
    keep = torch.ones_like(u, dtype=torch.bool)
    for _ in range(2):  # fit, drop the columns that read a gap between teeth, fit again
        coefficients = torch.linalg.lstsq(design[keep], splits[keep, None]).solution
        residual = (design @ coefficients).flatten() - splits
        keep = residual.abs() <= residual.abs().quantile(0.6)
    every = (torch.arange(depth.shape[1], dtype=torch.float64) - columns.double().mean()) \
        / max(float(columns.max() - columns.min()), 1.0) * 2.0
    curve = (torch.stack([torch.ones_like(every), every, every * every], dim=1) @ coefficients).flatten()
    return curve.clamp(*SPLIT_SEARCH)[None].expand(depth.shape[0], -1).float()
