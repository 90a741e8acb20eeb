"""EyeLayer: eyes drawn inside the lids the warp has moved, so lids close *over* the eyes and irises
turn with gaze (DESIGN.md, "The models → Renderer").

The warp moves the lids and the skin around them, but between the lids it would squash the eye
itself — a blink would fold the iris into a slit instead of hiding it. Inside the current opening
between the lids this layer shows the eyeball instead: the portrait's own eye, moved only with the
head (the eyeball does not follow the lids), its iris carried by the gaze with a smooth local shift
(the white around it gives way, as the visible part of a turning ball does). Where that would read
outside the portrait's own eye opening (a wide-open eye reaching above the source's lids), the warp's
picture stays. Above the eye, the part the upper lid has swept shows the lid coming down: its lashes
as they are, leading, and above them the skin just over the lashes stretched to cover the rest (a
rigid slide would drag the lid's crease down into view, which reads as an open eye). The lid's
texture is the skin's own from under the eye (a drawing's strokes and paper, a photo's mottling),
never a crossed edge's halo, and its top takes the shade of the skin above it, out of which it comes; a
portrait painted in flat colour closes its lids in one flat tone of its skin; on a drawing the band of
strokes over the lid's line slides down as its lashes. Below the lower lid, as the eye closes, the skin
moves with that lid (where the portrait draws no lines or strokes): the warp's smooth field would drag
the eye's white and iris under it. An eye a drawing made one dark mass (no iris darker than the rest,
its whites far darker than the skin) shows its whites where the iris turns away from, and a drawn iris
moves whole, as a disc, keeping its strokes.
At the avatar's rest state the layer reproduces the portrait exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import gaussian_filter, gaussian_filter1d, grey_dilation
from torch import nn

from runtime.arkit import BLENDSHAPE_NAMES
from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LEFT_EYE, RIGHT_EYE, EyeGroup
from runtime.render.mouth_palette import GRAIN_CLIP, LIMBAL_RING, grain_at, iris_radius_px
from runtime.render.openings import SOURCE_DILATION_PX, Opening, Windows, left_to_right, sample_at
from runtime.render.portrait_style import PortraitStyle, fine_detail_planes, robust_sigma

WINDOW_EYE_WIDTHS = (1.2, 2.0)  # the layer's window (height, width) in eye widths
IRIS_SHIFT_RADIUS = 0.35  # σ of the gaze shift's fall-off beyond the iris's disc, in eye widths
LASHES = 0.05  # the lash line's thickness, in eye widths
LID_COLOUR_SHARE = 0.85  # how much of a closing lid's tone is the skin's around the eye, not its stretched copy's
LID_TONE_SIGMA = 0.06  # the stretched copy's detail finer than this (eye widths) is the lid's texture, kept
# How much darker a closed lid is where it turns down to the lashes (and the most its top takes from a
# shadowed socket above). Lit from above, a lid curving over the eyeball faces away from the light at its
# margin. At 0.16 FaceLandmarker read the tuning set's open pencil's left blink at r 0.83; at 0.22, 0.88.
# Darker read better still (0.4: the half-rim twin's right blink 0.80 -> 0.95) but took a shut photo lid
# more than 40 levels under the skin below the eye (test_closed_lids_are_the_skin_around_them's bound);
# 0.25 reached it (docs/renderer_log.md, renderer 42).
LID_SHADE = 0.22
LID_EDGE_PX = 3.0  # the swept lid blends into the skin above its rest line over this many pixels
SMOOTHING_TAPS = 5  # samples along the lid (σ apart) in the tone its top takes from the frame above it
LID_COLOUR_BAND = (0.1, 0.3)  # a closed lid's colour is read this far above and below the eye, in eye widths
LID_COLOUR_SMOOTHING = 0.15  # and smoothed along the lid over this σ, in eye widths
LID_FOLD = 0.5  # a closing lid takes the shade of the skin above it over this share of its height, from the top
LID_SKIN = 0.12  # the skin over the lashes that stretches over a closing eye, in eye widths
WHITE_EDGE = 0.3  # the iris's disc, where the white shows as it turns, is soft over this share of its radius
WHITE_SHADE = 0.3  # how much darker the white is under the upper lid and in the corners
WHITE_SHADOW_DEPTH = 0.6  # the upper lid's shadow on the white reaches this share of the opening down
MAX_LASH_BAND = 0.12  # eye widths: a drawing's band of strokes over the lid's line slides down as lashes, up to this
MAX_INKED_LID = 0.3  # eye widths: an inked portrait's band over the lid's line slides down with it, up to this
NO_IRIS = (0.55, 0.65)  # iris-to-whites tone ratios over which an eye counts as showing no iris
DIM_WHITES = (0.72, 0.82)  # whites-to-skin tone ratios under which an eye's whites count as drawn over
WHITES_GRAIN = 0.8  # how much of a drawing's own grain the whites it shows carry (as the mouth's interior)
LID_GRAIN_BELOW = 0.15  # a stroke portrait's closed lid is grained as the skin this far (eye widths) under the eye
# The skin under the lower lid, this far down (eye widths), moves with the lower lid as the eye closes
# (_under_lid), fading into the warp's picture.
UNDER_LID = 0.15
GAZE_SHAPES = tuple(float(name.startswith("eyeLook")) for name in BLENDSHAPE_NAMES)


@dataclass(frozen=True)
class _EyeIndices:
    upper: tuple[int, ...]  # left to right in the image
    lower: tuple[int, ...]
    corners: tuple[int, int]
    iris_centre: int


class _Eye(nn.Module):
    def __init__(self, eye: EyeGroup, image: np.ndarray, landmarks: np.ndarray, frame: np.ndarray,
                 style: PortraitStyle, grain: np.ndarray) -> None:
        super().__init__()
        self.drawn = style.drawn
        # A lid closes in the portrait's strokes wherever it is made of them: a coloured pencil drawing
        # without outlines is not `drawn`, yet its lid copied and stretched from the band over the
        # lashes loses their hatching and reads as a smooth almond pasted onto the drawing.
        self.stroked = max(style.drawn, style.strokes)
        self.register_buffer("grain", torch.from_numpy(np.asarray(grain, dtype=np.float32)))
        # The grain's σ at each tone 0..255, looked up per pixel (PortraitStyle.texture_at per pixel
        # cost a third of the layer).
        self.register_buffer("grain_sigma", torch.from_numpy(np.asarray(style.texture_at_tone(np.arange(256.0)),
                                                                        np.float32)))
        upper, lower = left_to_right(eye.upper_lid, landmarks), left_to_right(eye.lower_lid, landmarks)
        self.indices = _EyeIndices(upper, lower, (eye.outer_corner, eye.inner_corner), eye.iris[0])
        width = eye.width(landmarks)
        self.window_size = tuple(max(8, round(widths * width)) for widths in WINDOW_EYE_WIDTHS)
        self.shift_sigma_px = IRIS_SHIFT_RADIUS * width
        self.lash_px = LASHES * width
        self.lid_band_px = LID_SKIN * width
        # A closing upper lid comes down 10-15 px onto the lower one; the warp's smooth field carries part
        # of that motion past the lower lid, dragging the eye's white and iris under it: a shut photo eye
        # kept a sliver of white and the iris's foot below its lashes. Under the lower lid the skin is
        # read from the portrait as that lid moves instead. Only where the portrait does not draw lines
        # or strokes: on those (the tuning set's stylised photos, pencil and coloured pencil drawings)
        # FaceLandmarker read the dragged dark content with the drawn lower line as the shut eye, and
        # their blink read-back fell (0.90-0.91 -> 0.74-0.87) with it pinned.
        self.pinned_under_lid = 1.0 - max(style.outline, style.strokes, style.drawn, style.flat)
        self.under_lid_px = UNDER_LID * width if self.pinned_under_lid > 0.0 else 0.0  # the window grows by it
        self.register_buffer("source_upper", torch.from_numpy(landmarks[list(upper), :2]).float()[None])
        self.register_buffer("source_lower", torch.from_numpy(landmarks[list(lower), :2]).float()[None])
        centre = landmarks[list(self.indices.corners), :2].mean(axis=0)
        self.register_buffer("source_centre", torch.from_numpy(centre).float())
        source, origin = self._source_eye(image)
        frame_crop = Windows.around(self.source_centre[None], self.window_size, image.shape[:2]).crop(frame[..., None])
        # (1, 1, h, w) where glasses' frame was cut out, and near it (its fill's edge is no skin either)
        self.register_buffer("near_frame", torch.from_numpy(grey_dilation(
            frame_crop[0, 0].numpy(), size=2 * round(LID_EDGE_PX) + 1))[None, None])
        tone = torch.from_numpy(gaussian_filter(source[0, :3].numpy(),
                                                (0.0, LID_TONE_SIGMA * width, LID_TONE_SIGMA * width)))
        # The lid's colour is read from the smooth tone: the brighter half of a drawing's grainy paper
        # is its grain's light flecks, and a lid of that tone reads as a white patch on the paper.
        self.register_buffer("lid_colour", _lid_colours(tone, frame_crop[0, 0], origin,
                                                        landmarks[list(upper), :2], landmarks[list(lower), :2], width))
        self.register_buffer("source", source)  # (1, 4, h, w): RGB and the eye-opening mask
        band = _lash_band(source[0, :3], self.lid_colour, origin, landmarks[list(upper), :2], width)
        drawn_band = max(0.0, min(band, MAX_LASH_BAND * width) - self.lash_px) * style.drawn
        # A portrait that inks its edges (PortraitStyle.inked: cv2.stylization's) rings its eye in a band of ink
        # 0.18-0.29 eye widths thick over the lid's line. Held where it was, with the lid's own copy
        # stretched inside it, a shut eye was a grey almond in a black ring (the tuning set's stylised portraits);
        # the band slides down as the lid's edge instead, and the lid over it is skin. Not where it paints in flat
        # colour: its flat lid (`flat_lid`) is drawn over, and its band holds the eye's painted highlights.
        self.inked_band = max(0.0, min(band, MAX_INKED_LID * width) - self.lash_px - drawn_band) * style.inked
        self.lash_px = self.lash_px + drawn_band + self.inked_band
        # The skin a closing lid's top takes its shade from (_above_lid) lies beyond that band.
        self.skin_above_px = max(min(band, MAX_LASH_BAND * width), self.lash_px, LID_EDGE_PX) + 1.0
        self.register_buffer("source_tone", tone[None])  # (1, 3, h, w) its smooth tone
        # A closing lid's top takes the frame's tone above it through a Gaussian of the lid's tone σ: taps
        # σ apart, SMOOTHING_TAPS along the lid and three across it (_smooth_at), and their weights.
        along, across = np.meshgrid(np.arange(SMOOTHING_TAPS) - SMOOTHING_TAPS // 2, np.arange(3) - 1)
        steps = np.stack([along.ravel(), across.ravel()], axis=1).astype(np.float64)
        weights = np.exp(-0.5 * (steps**2).sum(axis=1))
        self.register_buffer("smoothing_steps", torch.from_numpy(steps * LID_TONE_SIGMA * width).float())  # (K, 2)
        self.register_buffer("smoothing_weights", torch.from_numpy(weights / weights.sum()).float())  # (K,)
        self.iris_px = iris_radius_px(landmarks, eye)
        sclera, iris_tone = _sclera_and_iris(tone, source[0, 3], landmarks[eye.iris[0], :2] - origin.numpy(),
                                             self.iris_px)
        # A drawing whose strokes made the whole eye one dark mass draws no whites: its iris is hardly
        # darker than the rest of the eye (a pencil drawing's 0.64 of its brightest half; a photo's
        # 0.26, a stylised photo's black eye with its brown iris ring 0.08). Its whites are its paper,
        # as light as the skin around the eye (the pencil's: 134 against the skin's 210).
        # Only such an eye shows its whites as its iris turns (_whites_shown); elsewhere the gaze's
        # shift brings the eye's own white, or its own dark, beside the iris.
        # A drawing the style measure does not count as drawn (a smooth pencil sketch, a stroked one
        # without outlines) can still draw its eye as one dark mass: its whites are then much darker
        # than the skin around the eye (the tuning set's pencil and coloured pencil drawings: 0.63–0.73
        # of it; its photos' whites 0.86–1.00 of it). A painting's eye is as dim, but its iris is far
        # darker than its whites (0.2–0.3 of them), so it still counts as showing one.
        skin = self.lid_colour.mean(dim=1)
        no_iris = float(hermite_step(*NO_IRIS, np.array(iris_tone / max(float(sclera.mean()), 1.0))))
        drawn_over = 1.0 - float(hermite_step(*DIM_WHITES, np.array(float(sclera.mean() / skin.mean().clamp(min=1.0)))))
        self.whites = no_iris * max(self.drawn, drawn_over)
        # How much of the iris's disc moves whole with the gaze (forward's fall-off): a drawing's, whose
        # strokes a stretch smears; a photo's iris and white are smooth, and its white stretches best
        # from the iris's middle out.
        self.rigid_iris_px = self.iris_px * max(self.drawn, self.whites)
        self.register_buffer("sclera", sclera + (skin - sclera).clamp(min=0.0))
        self.register_buffer("source_origin", origin)
        # A portrait painted in flat colour closes its lids in one flat tone of the skin around them,
        # unshaded and without texture (as far as it is flat): shaded and stretched, the small cartoon's
        # shut lid was a smooth pale almond with a gradient, pasted onto its flat areas.
        self.flat = style.flat
        self.register_buffer("flat_lid", None if self.flat <= 0.0 else _flat_lid(
            source[0, :3], frame_crop[0, 0], origin, landmarks[list(upper), :2], landmarks[list(lower), :2], width))
        # How far a closing lid takes the skin's texture from under the eye rather than its own (stretched)
        # copy's: a portrait that draws its edges as lines (a stylised photo) paints smooth skin between
        # them, and its bands of shade under the eye read as streaks on the lid.
        self.mottled = max(self.stroked, 1.0 - style.outline)
        skin_grain, skin_grain_origin = self._skin_grain(image, width)
        self.register_buffer("skin_grain", skin_grain)
        self.register_buffer("skin_grain_origin", skin_grain_origin)

    def _source_eye(self, image: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        windows = Windows.around(self.source_centre[None], self.window_size, image.shape[:2])
        opening = Opening.of(windows.pixels(), self.source_upper, self.source_lower)
        mask = opening.inside(SOURCE_DILATION_PX).reshape(1, 1, windows.height, windows.width)
        return torch.cat([windows.crop(image), mask], dim=1), windows.origins[0].float()

    def _skin_grain(self, image: np.ndarray, width: float) -> tuple[torch.Tensor, torch.Tensor]:
        """((1, 3, h, w) the skin's texture under the eye, (2,) the origin that lines it up with the eye's
        window): the picture below the eye (by the eye's height and LID_GRAIN_BELOW), moved up over it as
        a whole and read from the nearest pixel. A closing lid is grained as that skin is.

        On a portrait made of strokes, its fine detail (portrait_style.fine_detail): the drawing's own
        paper and strokes. A texture made with the drawing's grain's spectrum (mouth_palette) lacks its
        sparse flecks: the pencil drawing's closed lid had 0.66 of the skin's fine detail, and at twice
        the texture's strength it still read as a smooth almond on the grainy paper.
        On a photo, everything finer than the lid's tone (LID_TONE_SIGMA), clipped at GRAIN_CLIP times
        its own robust spread: skin is mottled at a few pixels (freckles, pores, blotches of colour),
        and a lid with only the stretched copy's streaks read as a smooth pale almond pasted onto an
        older, freckled face; a line under the eye (a lash, a bag's fold) stands out of that spread and
        is cut to it."""
        eye = np.concatenate([self.source_upper[0].numpy(), self.source_lower[0].numpy()])
        drop = round(float(eye[:, 1].max() - eye[:, 1].min()) + LID_GRAIN_BELOW * width)
        below = Windows.around(self.source_centre[None] + self.source_centre.new_tensor([0.0, drop]),
                               self.window_size, image.shape[:2])
        origin = below.origins[0].float() - below.origins.new_tensor([0.0, drop]).float()
        crop = below.crop(image)
        if self.stroked >= 1.0:
            return fine_detail_planes(crop), origin
        pixels = crop[0].numpy()
        mottling = torch.from_numpy(pixels - gaussian_filter(pixels, (0.0, LID_TONE_SIGMA * width,
                                                                      LID_TONE_SIGMA * width)))[None]
        bound = GRAIN_CLIP * robust_sigma(mottling.numpy())
        mottling = mottling.clamp(-bound, bound)
        if self.stroked <= 0.0:
            return mottling, origin
        return mottling + (fine_detail_planes(crop) - mottling) * self.stroked, origin

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                gaze_points: torch.Tensor, offset: tuple[int, int]) -> None:
        indices = self.indices
        upper, lower = points[:, list(indices.upper)], points[:, list(indices.lower)]
        eyeball_shift = skull_points[:, list(indices.corners)].mean(dim=1) - self.source_centre  # (B, 2)
        iris_shift = gaze_points[:, indices.iris_centre] - skull_points[:, indices.iris_centre]  # (B, 2)
        skull_upper = skull_points[:, list(indices.upper)]  # the upper lid at rest, with the head's motion
        windows = self._windows(upper, lower, skull_upper, frames.shape[-2:], offset)
        pixels = windows.pixels()
        opening = Opening.of(pixels, upper, lower)
        rest_line = opening.upper_line_of(skull_upper)  # (B, P)
        lid = self._lid(opening, rest_line)  # (B, P)
        alpha = opening.inside()  # (B, P)
        if not bool((alpha > 0.0).any() or (lid > 0.0).any()):
            return  # the eye neither shows nor is being covered: the warp's picture stands
        iris = gaze_points[:, indices.iris_centre]  # (B, 2) where the iris is now
        # A drawn iris moves whole, as a disc on the eyeball: a fall-off from its centre stretches its
        # trailing half and squeezes its leading one, and a drawing's strokes smear so. Only beyond its
        # disc does the shift fall off then, over what lies beside it (the white).
        beyond = ((pixels - iris[:, None]).norm(dim=-1) - self.rigid_iris_px).clamp(min=0.0)
        fall_off = torch.exp(-0.5 * beyond**2 / self.shift_sigma_px**2)  # (B, P)
        reads = pixels - eyeball_shift[:, None] - iris_shift[:, None] * fall_off[..., None] - self.source_origin
        eye = sample_at(self.source, reads)  # (B, 4, P)
        alpha = alpha * eye[:, 3]
        eye = self._whites_shown(eye[:, :3], reads, opening, pixels, iris, iris - iris_shift,
                                 pixels - eyeball_shift[:, None])
        slide = opening.upper_at.read(upper - self.source_upper)  # (B, P, 2) how far the lid moved here
        above_lashes = (opening.v_upper - opening.v).clamp(min=0.0)  # (B, P) pixels above its lashes
        span = slide[..., 1].clamp(min=1.0)
        # Lashes slide as they are; above them, the skin just over the lashes stretches to cover the rest.
        squeeze = torch.where(above_lashes < self.lash_px, torch.ones_like(span),
                              (self.lid_band_px / span).clamp(max=1.0))
        source_above = torch.where(above_lashes < self.lash_px, above_lashes,
                                   self.lash_px + (above_lashes - self.lash_px) * squeeze)
        lid_reads = pixels - slide + ((above_lashes - source_above)[..., None] * -opening.axes[:, None, 1]) \
            - self.source_origin
        stretched = sample_at(self.source[:, :3], lid_reads)  # (B, 3, P)
        # Above the lashes the lid is skin in the tone of the skin around the eye, with the stretched
        # copy's fine texture: the copy's own tone is the dark fold over the lashes (a crease, shadow,
        # what a frame left), and a closed lid of that tone reads as a dark hole.
        closing = (slide[..., 1] / (2.0 * self.lid_band_px)).clamp(0.0, 1.0)[:, None]  # (B, 1, P): 0 at rest
        columns = lid_reads[..., 0].round().long().clamp(0, self.lid_colour.shape[-1] - 1)  # (B, P)
        tone = sample_at(self.source_tone, lid_reads)
        lid_tone = tone + (self.lid_colour[:, columns].permute(1, 0, 2) - tone) * (LID_COLOUR_SHARE * closing)
        lid_tone = self._in_fold_shade(lid_tone, frames, offset, opening, rest_line, eyeball_shift, closing)
        skin = lid_tone + self._lid_texture(stretched - tone, lid_tone, pixels - eyeball_shift[:, None], closing)
        if self.flat > 0.0:
            skin = skin + (self.flat_lid - skin) * (self.flat * closing)
        lashes = 1.0 - hermite_step(self.lash_px - 1.0, self.lash_px + 1.0, above_lashes)[:, None]  # (B, 1, P)
        lid_skin = (skin + (stretched - skin) * lashes) * self._lid_shading(opening, above_lashes, slide[..., 1])
        patch = windows.gather(frames)
        shape = (len(frames), -1, windows.height, windows.width)
        under_lid = self._under_lid(opening, closing[:, 0])
        if under_lid is not None:
            slide_lower = opening.lower_at.read(lower - self.source_lower)  # (B, P, 2)
            skin_under = sample_at(self.source[:, :3], pixels - slide_lower - self.source_origin)
            patch = patch + under_lid.reshape(shape) * (skin_under.reshape(shape) - patch)
        patch = patch + alpha.reshape(shape) * (eye.reshape(shape) - patch)
        patch = patch + lid.reshape(shape) * (lid_skin.reshape(shape) - patch)
        windows.scatter(frames, patch)

    def _whites_shown(self, eye: torch.Tensor, reads: torch.Tensor, opening: Opening, pixels: torch.Tensor,
                      iris: torch.Tensor, iris_at_rest: torch.Tensor, on_eyeball: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) an eye drawn as one dark mass (`whites` > 0), with the white of the eyeball where
        its iris has turned away from: the part of the iris's disc at rest that its disc now leaves,
        and, as the iris moves as far as its own radius, the band behind it back to the eye's corner
        (_behind). The gaze's shift stretches what lies beside the iris over that part — the white in a
        photo, but in such a drawing the same dark strokes as the iris (a pencil drawing's iris is
        hardly darker than its eye: 94 against 136), so a turned iris showed no white and FaceLandmarker
        saw nothing move (r −0.23). The vacated disc alone read as a pale disc pasted into the dark eye
        at a full turn, and the iris beside it as no iris (the tuning set's pencil drawing behind
        acetate: r 0.30); with the band the eye shows its white on the side it turns from, as a turned
        eye does (0.86). The white is shaded as an eyeball is, under the upper lid and into the
        corners, and the discs are soft: a flat white crescent with a hard edge reads as a hole cut in
        the eye. None at rest: the two discs are one and the band has no length."""
        if self.whites <= 0.0:
            return eye
        radius, soft = self.iris_px, WHITE_EDGE * self.iris_px
        now = _disc(pixels, iris, radius, soft)
        left = (_disc(pixels, iris_at_rest, radius, soft) - now).clamp(min=0.0)
        left = torch.maximum(left, _behind(pixels, iris, iris_at_rest, radius, soft) * (1.0 - now))
        if not bool((left > 0.0).any()):
            return eye
        height = (opening.v_lower - opening.v_upper).clamp(min=1.0)
        under_lid = 1.0 - hermite_step(0.0, WHITE_SHADOW_DEPTH * height, opening.v - opening.v_upper)
        shade = 1.0 - WHITE_SHADE * (under_lid + opening.lateral() ** 2).clamp(max=1.0)  # (B, P)
        white = self.sclera[None, :, None] * shade[:, None]
        white = white + self._in_grain(eye - sample_at(self.source_tone, reads), white, on_eyeball)
        return eye + (white - eye) * (self.whites * left)[:, None]

    def _lid_texture(self, own: torch.Tensor, lid_tone: torch.Tensor, on_eyeball: torch.Tensor,
                     closing: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) the fine texture of a closing lid: its own (`own`, the stretched copy's detail, as
        it is at rest) giving way as it closes to the skin's under the eye (`skin_grain`), lying on the
        eye as the skin does (`on_eyeball`: pixels less the head's motion); on a portrait made of
        strokes cut to the size of its grain at the lid's tone (_cut)."""
        if not bool((closing > 0.0).any()):
            return own  # open eyes: nothing closes, the texture is the copy's own
        sigma = self._grain_sigma(lid_tone)
        cut = _cut(own, sigma)
        skin = sample_at(self.skin_grain, on_eyeball - self.skin_grain_origin, mode="nearest")
        # a stroke portrait's grain is cut as any detail: a line under the eye is no grain
        skin = skin + (_cut(skin, sigma) - skin) * self.stroked
        return own + (cut + (skin - cut) * self.mottled - own) * closing

    def _in_fold_shade(self, lid_tone: torch.Tensor, frames: torch.Tensor, offset: tuple[int, int],
                       opening: Opening, rest_line: torch.Tensor, eyeball_shift: torch.Tensor,
                       closing: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) `lid_tone` with the closing lid's upper part in the shade of the skin the frame shows
        above it (_above_lid, _under_fold; `frames`: the warp's picture, its first pixel at `offset`), as
        far as the lid has closed (`closing`, (B, 1, P)): no darker than the lid turning down to its lashes
        is (a deep socket's shadow over the whole top reads as an eye still open), and not on a drawing,
        whose lid is its paper under the strokes over it."""
        if self.drawn >= 1.0 or not bool((closing > 0.0).any()):
            return lid_tone  # nothing closes here, or a drawing: the tone stands
        fold = self._under_fold(opening, rest_line)
        shaded = (fold * closing > 0.0).any(dim=0)[0].nonzero()[:, 0]  # pixels some frame's lid top shades
        above = self._above_lid(opening, opening.u[:, shaded], rest_line[:, shaded])  # (B, Q, 2)
        # Glasses' frame there in the portrait: cut out, its fill is no skin to take a shade from (a rim just
        # over the eye gave the lid a grey wedge).
        on_frame = sample_at(self.near_frame, above - eyeball_shift[:, None] - self.source_origin).clamp(0.0, 1.0)
        shade = fold[..., shaded] * (1.0 - on_frame) * (1.0 - self.drawn) * closing[..., shaded]  # (B, 1, Q)
        seen = (shade > 0.0).any(dim=0)[0]  # and of those, where no frame lies over them: read only there
        if not bool(seen.any()):
            return lid_tone
        shaded, above, shade = shaded[seen], above[:, seen], shade[..., seen]
        tone = lid_tone[..., shaded]
        above = torch.maximum(_smooth_at(frames, above - above.new_tensor(offset), self.smoothing_steps @ opening.axes,
                                         self.smoothing_weights), tone * (1.0 - LID_SHADE))
        lid_tone = lid_tone.clone()
        lid_tone[..., shaded] = tone + (above - tone) * shade
        return lid_tone

    def _above_lid(self, opening: Opening, u: torch.Tensor, rest_line: torch.Tensor) -> torch.Tensor:
        """(B, Q, 2) the places just beyond the band of lashes over the lid's line at rest (`skin_above_px`
        over `rest_line`, (B, Q) v), at pixels along the lid at `u` ((B, Q)), whose smooth tone in the
        warp's picture a closing lid's top takes: the skin it meets in the frame.
        The frame's picture, not the portrait's at rest: the warp moves the lid's crease and the skin
        over it down with the lid, and a top in the tone the portrait shows there at rest (the crease's)
        drew a grey line round the closed lid, an almond pasted on."""
        v = (rest_line - self.skin_above_px)[..., None]
        return opening.origin[:, None] + u[..., None] * opening.axes[:, None, 0] + v * opening.axes[:, None, 1]

    def _under_fold(self, opening: Opening, rest_line: torch.Tensor) -> torch.Tensor:
        """(B, 1, P) how much a closing lid's tone is the skin's just above its line at rest: 1 at that
        line, 0 from LID_FOLD of the way down to its lashes. A lid comes out from under the skin above
        it, in that skin's shade; a lid of one colour throughout ended in a hard edge along its top, a
        pale almond pasted into a shadowed or hooded socket."""
        height = (opening.v_upper - rest_line).clamp(min=1.0)
        return (1.0 - hermite_step(0.0, 1.0, (opening.v - rest_line) / (LID_FOLD * height)))[:, None]

    def _in_grain(self, own: torch.Tensor, tone: torch.Tensor, at: torch.Tensor) -> torch.Tensor:
        """(B, 3, P) detail `own` of the white an eye drawn as one dark mass shows, cut to the size of the
        portrait's grain at `tone` (_cut) and, on a drawing, its own grain instead, read at `at`."""
        sigma = self._grain_sigma(tone)
        cut = _cut(own, sigma)
        if self.drawn <= 0.0:
            return cut
        grain = WHITES_GRAIN * sigma * grain_at(self.grain, at)[:, None]
        return cut + (grain - cut) * self.drawn

    def _grain_sigma(self, tone: torch.Tensor) -> torch.Tensor:
        """(B, 1, P) the portrait's grain σ at each pixel's tone ((B, 3, P))."""
        return self.grain_sigma[tone.mean(dim=1).round().long().clamp(0, 255)][:, None]

    def _under_lid(self, opening: Opening, closing: torch.Tensor) -> torch.Tensor | None:
        """(B, P) how much each pixel is the skin under the lower lid moving with it (`pinned_under_lid`):
        from the lid's line down UNDER_LID, as far as the upper lid has come down (`closing`, (B, P)
        0..1); None where nothing is pinned."""
        if self.pinned_under_lid <= 0.0 or not bool((closing > 0.0).any()):
            return None
        below = opening.v - opening.v_lower
        band = hermite_step(-1.0, 0.5, below) * (1.0 - hermite_step(0.0, self.under_lid_px, below))
        return band * opening.lower_at.covered * closing * self.pinned_under_lid

    def _windows(self, upper: torch.Tensor, lower: torch.Tensor, rest_upper: torch.Tensor,
                 frame_size: tuple[int, int], offset: tuple[int, int]) -> Windows:
        """What the layer draws: the opening between the lids now, the lid from its line at rest (with
        the head's motion) down to its line now, and the skin under the lower lid (_under_lid), grown by
        the lid's soft edge."""
        under = lower + lower.new_tensor([0.0, self.under_lid_px])
        lines = torch.cat([upper, lower, rest_upper, under], dim=1)  # (B, K, 2)
        grow = LID_EDGE_PX + self.inked_band + 2.0
        return Windows.covering(lines.amin(dim=1) - grow, lines.amax(dim=1) + grow, self.window_size, frame_size,
                                offset)

    def _lid_shading(self, opening: Opening, above_lashes: torch.Tensor, lowered: torch.Tensor) -> torch.Tensor:
        """(B, 1, P) a closing lid is skin curving over the eyeball: lit on its crown, darker where it
        turns down to the lashes and towards the corners — a flat copy of the skin reads as a patch (on
        a photo; a portrait painted in flat colour paints its lid flat, as far as it is).
        `lowered` (B, P): how far the lid has come down here, in pixels; none at rest, so rest is exact."""
        turning = 1.0 - hermite_step(0.0, 1.0, above_lashes / (0.6 * lowered.clamp(min=1.0) + 1.0))  # 1 at the lashes
        sides = opening.lateral() ** 2
        closing = (lowered / (2.0 * self.lid_band_px)).clamp(0.0, 1.0)
        return (1.0 - closing * (LID_SHADE * (1.0 - self.flat)) * (turning + 0.5 * sides))[:, None]

    def _lid(self, opening: Opening, rest_line: torch.Tensor) -> torch.Tensor:
        """(B, P) 1 where the upper lid now covers what was open eye: between its line at rest
        (`rest_line`, (B, P) v, with the head's motion) and its line now."""
        covered = opening.upper_at.covered
        above_lid = (opening.v_upper - opening.v).clamp(0.0, 1.0)
        # Soft over a few pixels: a hard upper edge outlines the lid like a pasted patch. An inked portrait's lid
        # reaches over its band of ink too, which slides down with it (`inked_band`).
        below_rest_line = hermite_step(-LID_EDGE_PX, 1.0, opening.v - rest_line + self.inked_band)
        return covered * above_lid * below_rest_line


def _lash_band(crop: torch.Tensor, skin: torch.Tensor, origin: torch.Tensor, upper_lid: np.ndarray,
               eye_width: float) -> float:
    """Pixels: how far above the upper lid's line the dark band over it reaches (lashes and the lid's
    margin, which a drawing draws as one band of strokes), the median over the eye's middle columns:
    each column's first row above the line lighter than halfway between the band's darkest and the skin."""
    luminance = gaussian_filter(crop.double().numpy().mean(axis=0), 1.0)
    skin = skin.double().numpy().mean(axis=0)
    (left, top), order = origin.tolist(), np.argsort(upper_lid[:, 0])
    xs, ys = upper_lid[order, 0], upper_lid[order, 1]
    reach = np.arange(int(0.3 * eye_width))
    bands = []
    for x in np.arange(xs[0] + 0.2 * eye_width, xs[-1] - 0.2 * eye_width):
        column = int(round(x - left))
        if not 0 <= column < luminance.shape[1]:
            continue
        rows = np.clip(np.round(np.interp(x, xs, ys) - top - reach).astype(int), 0, luminance.shape[0] - 1)
        profile = luminance[rows, column]
        lighter = np.flatnonzero(profile > (profile[: max(2, int(LASHES * eye_width))].min() + skin[column]) / 2)
        bands.append(lighter[0] if len(lighter) else len(reach))
    return float(np.median(bands)) if bands else 0.0


def _smooth_at(pictures: torch.Tensor, positions: torch.Tensor, taps: torch.Tensor, weights: torch.Tensor
               ) -> torch.Tensor:
    """(B, C, P) each picture ((B, C, H, W)) blurred at its positions ((B, P, 2)): the weighted sum
    (`weights`, (K,)) of bilinear samples at the positions moved by each of `taps` ((B, K, 2) x, y).
    Read from the whole pictures, not from a layer's window, so a frame's pixels do not depend on the
    windows it was drawn in with others."""
    moved = positions[:, :, None] + taps[:, None]  # (B, P, K, 2)
    sampled = sample_at(pictures, moved.reshape(len(positions), -1, 2)).reshape(*pictures.shape[:2], -1, len(weights))
    return sampled @ weights


def _cut(detail: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """(B, 3, P) detail held within GRAIN_CLIP of the grain's σ ((B, 1, P)): beyond it the detail is an
    edge, not skin — where a lid's copy crosses a drawing's band of dark strokes its high-pass is a white
    halo, which reads as a pale almond."""
    bound = GRAIN_CLIP * sigma
    return torch.maximum(torch.minimum(detail, bound), -bound)


def _behind(pixels: torch.Tensor, iris: torch.Tensor, iris_at_rest: torch.Tensor, radius: float,
            soft: float) -> torch.Tensor:
    """(B, P) the band the iris has turned away along, from its disc now back to the eye's corner:
    the white a turned eye shows beside its iris, coming in as the iris moves its own radius."""
    shift = iris - iris_at_rest  # (B, 2)
    length = shift.norm(dim=-1, keepdim=True)  # (B, 1)
    direction = shift / length.clamp(min=1e-6)
    relative = pixels - iris[:, None]  # (B, P, 2)
    along = (relative * direction[:, None]).sum(-1)  # (B, P) < 0 behind the iris
    across = (relative[..., 0] * direction[:, None, 1] - relative[..., 1] * direction[:, None, 0]).abs()
    band = 1.0 - hermite_step(radius - soft, radius + soft, across)
    return band * hermite_step(soft, -soft, along) * hermite_step(0.0, radius, length)


def _disc(pixels: torch.Tensor, centres: torch.Tensor, radius: float, soft: float) -> torch.Tensor:
    """(B, P) 1 inside a disc around each frame's centre (B, 2), 0 outside, soft over `soft` pixels each way."""
    distance = (pixels - centres[:, None]).norm(dim=-1)
    return 1.0 - hermite_step(radius - soft, radius + soft, distance)


def _sclera_and_iris(tone: torch.Tensor, opening: torch.Tensor, iris: np.ndarray,
                     iris_px: float) -> tuple[torch.Tensor, float]:
    """((3,) the white of the eye, the iris's luminance) from the eye's smooth tone: the brighter half
    between the lids and off the iris (lashes, the lids' shadow and the corners are darker), and the
    median inside the iris between the lids; the tone's mean where either does not show."""
    pixels = tone.double().numpy().reshape(3, -1)
    rows, columns = np.mgrid[:tone.shape[1], :tone.shape[2]]
    distance = np.hypot(columns - iris[0], rows - iris[1]).ravel()
    between = opening.numpy().ravel() > 0.99
    chosen, inside = pixels[:, between & (distance > LIMBAL_RING * iris_px)], pixels[:, between & (distance < iris_px)]
    if chosen.shape[1] < 4 or inside.shape[1] < 4:
        mean = pixels.mean(axis=1)
        return torch.from_numpy(mean).float(), float(mean.mean())
    brightness = chosen.mean(axis=0)
    sclera = chosen[:, brightness >= np.median(brightness)].mean(axis=1)
    return torch.from_numpy(sclera).float(), float(np.median(inside.mean(axis=0)))


def _flat_lid(crop: torch.Tensor, frame: torch.Tensor, origin: torch.Tensor, upper_lid: np.ndarray,
              lower_lid: np.ndarray, eye_width: float) -> torch.Tensor:
    """(1, 3, 1) a flat-colour portrait's closed lid: the light skin around the eye, the median colour
    of the brightest quarter of the skin in the bands above and below it (_skin_bands) over the eye's
    width. Lines, lashes, a brow or a shadow patch around the eye are darker; the small cartoon's band
    above one eye is mostly its thick dark outline, and a lid of the band's brighter half was a brown
    almond."""
    values, inside = _skin_bands(crop, frame, origin, upper_lid, lower_lid, eye_width)
    left, right = (np.array([upper_lid[:, 0].min(), upper_lid[:, 0].max()]) - float(origin[0])).round().astype(int)
    inside[:, :max(left, 0)], inside[:, right + 1:] = False, False
    skin = values[:, inside] if inside.any() else crop.double().numpy().reshape(3, -1)
    brightness = skin.mean(axis=0)
    lightest = skin[:, brightness >= np.percentile(brightness, 75)]
    return torch.from_numpy(np.median(lightest, axis=1)).float()[None, :, None]


def _skin_bands(crop: torch.Tensor, frame: torch.Tensor, origin: torch.Tensor, upper_lid: np.ndarray,
                lower_lid: np.ndarray, eye_width: float) -> tuple[np.ndarray, np.ndarray]:
    """((3, 12, w) colours, (12, w) bool where they are skin) of the eye's window (`crop` (3, h, w) at
    `origin`), column by column: six rows in a band LID_COLOUR_BAND above the upper lid, nearest it
    first, and six as far below the lower lid. Glasses (`frame`, the window's cut-out alpha): the band
    above stops at the rim — beyond it the skin is not behind the lens, and a tinted lens's lid taken
    from there is pale — and the band below skips the rim's pixels."""
    pixels = crop.double().numpy()  # (3, h, w)
    frame = frame.double().numpy()
    height, width = pixels.shape[1:]
    columns = np.arange(width)
    (left, top), offsets = origin.tolist(), np.linspace(*LID_COLOUR_BAND, 6)[:, None] * eye_width

    def band(lid: np.ndarray, direction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        order = np.argsort(lid[:, 0])
        lid_y = np.interp(columns + left, lid[order, 0], lid[order, 1]) - top  # (w,)
        rows = np.round(lid_y[None] + direction * offsets).astype(int)  # (6, w), nearest the lid first
        inside = (rows >= 0) & (rows < height)
        rows = rows.clip(0, height - 1)
        return pixels[:, rows, columns[None]], inside, frame[rows, columns[None]] > 0.2

    above, inside_above, rim_above = band(upper_lid, -1.0)
    below, inside_below, rim_below = band(lower_lid, 1.0)
    return (np.concatenate([above, below], axis=1),
            np.concatenate([inside_above & ~np.maximum.accumulate(rim_above, axis=0), inside_below & ~rim_below]))


def _lid_colours(crop: torch.Tensor, frame: torch.Tensor, origin: torch.Tensor, upper_lid: np.ndarray,
                 lower_lid: np.ndarray, eye_width: float) -> torch.Tensor:
    """(3, w) the skin a closed lid is made of, column by column of the eye's window: the brighter half
    of the skin in a band above the lashes and one below the lower lid (the crease, lashes and brow
    hairs are darker than the skin), smoothed along the lid. Measured along the eye, not once for it,
    because the light changes along it — darker into the corners — and one colour for the whole
    closed lid reads as a pale patch pasted over the eye. Glasses: the bands stop at or skip the rims
    (_skin_bands)."""
    values, inside = _skin_bands(crop, frame, origin, upper_lid, lower_lid, eye_width)
    width = values.shape[-1]
    columns = np.arange(width)
    brightness = values.mean(axis=0)
    counts = inside.sum(axis=0)
    ranked = np.sort(np.where(inside, brightness, np.inf), axis=0)  # each column's median over its rows inside
    median = ranked[np.clip((counts - 1) // 2, 0, len(ranked) - 1), columns]
    weights = (inside & (brightness >= median[None])).astype(np.float64)
    counts = weights.sum(axis=0)
    colours = (values * weights).sum(axis=1) / np.maximum(counts, 1.0)  # (3, w)
    known = counts > 0
    if not known.any():
        return torch.full((3, width), 128.0)
    colours = np.stack([np.interp(columns, columns[known], channel[known]) for channel in colours])
    colours = gaussian_filter1d(colours, LID_COLOUR_SMOOTHING * eye_width, axis=1, mode="nearest")
    return torch.from_numpy(colours).float()


class EyeLayer(nn.Module):
    """Both eyes; forward() paints a batch of warped frames in place."""

    def __init__(self, image: np.ndarray, landmarks: np.ndarray, style: PortraitStyle, grain: np.ndarray,
                 frame: np.ndarray | None = None) -> None:
        """`style` and `grain`: how the portrait is made and its fine texture (mouth_palette's);
        `frame`: (H, W) 0..1 where glasses' frame was cut out of `image` (rigid_layer.cut_out), or None."""
        super().__init__()
        landmarks = np.asarray(landmarks, dtype=np.float64)
        frame = np.zeros(image.shape[:2], np.float32) if frame is None else frame
        self.eyes = nn.ModuleList([_Eye(eye, image, landmarks, frame, style, grain) for eye in (RIGHT_EYE, LEFT_EYE)])
        self.register_buffer("gaze_shapes", torch.tensor(GAZE_SHAPES))

    def forward(self, frames: torch.Tensor, points: torch.Tensor, skull_points: torch.Tensor,
                gaze_points: torch.Tensor, offset: tuple[int, int] = (0, 0)) -> None:
        """frames (B, 3, H, W) float 0..255; points: the frames' landmarks; skull_points: the heads at
        the rest expression; gaze_points: the heads at the rest expression plus the frames' gaze;
        offset: where the frames' top-left pixel lies in the portrait (openings.Windows)."""
        for eye in self.eyes:
            eye(frames, points, skull_points, gaze_points, offset)
