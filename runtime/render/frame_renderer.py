"""Motion frames → pictures of one avatar: the bridge from the Animator's latents to the warp
renderer, batched (up to MAX_BATCH_FRAMES frames per call). The one place frames are batched for
rendering: the server's RenderBatcher and the offline `render_video` both call `render`."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import cv2
import numpy as np
import torch

from runtime.errors import InvalidConfigError
from runtime.face.avatar import Avatar
from runtime.face.glasses import find_glasses
from runtime.render.allocator import keep_freed_memory
from runtime.render.device import render_device
from runtime.render.framing import (
    DEFAULT_FRAME_OPTIONS,
    FramedPortrait,
    FrameOptions,
    Framing,
    carry_mask,
    frame_portrait,
)
from runtime.render.portrait_style import PortraitKind, outline_share, portrait_style
from runtime.render.rigid_layer import cut_out
from runtime.render.warp_renderer import WarpRenderer, WarpRendererConfig
from runtime.types import MotionFrame

# The framing a portrait's kind (drawn, outlined, flat: portrait_style.PortraitKind) is measured in,
# whatever it is rendered at: the face at about the portraits' own resolution, where the kind's
# thresholds were chosen (the fidelity harness measures in it).
STYLE_FRAMING = FrameOptions(512, Framing.FACE)
# Per avatar, while it lives: its kind (_kind) and its glasses in the default framing (_default_glasses).
_KINDS: WeakKeyDictionary[Avatar, PortraitKind] = WeakKeyDictionary()
_DEFAULT_GLASSES: WeakKeyDictionary[Avatar, tuple[FramedPortrait, np.ndarray | None]] = WeakKeyDictionary()
# Frames in one render call at most: beyond this a batch's latency outgrows its gain (torch's
# batched kernels are already busy), and memory stays that of one batch however long the clip.
MAX_BATCH_FRAMES = 16


@dataclass(frozen=True, eq=False)
class RenderedFrame:
    """The picture of one motion frame, at that frame's index and time."""

    index: int
    time_s: float
    rgb: np.ndarray  # (H, W, 3) uint8


class FrameRenderer:
    """Built once per avatar and framing (the thin-plate-spline basis takes about a second);
    thread-safe to share between sessions because rendering only reads it."""

    name = "warp"
    # Streams report it (service/animate.py): a client keying saved frames on it must see them change.
    # 3 came with the glasses' rigid layer (2026-11-30); 4 holds the 83 renderer changes after it up to
    # 2026-12-01 (the jaw, the lips sealed for p, b and m, the seam, the lids, the tongue, the kind of
    # picture and the glasses measured alike at every framing), which left it at 3. 5: the skin filled
    # in under glasses carries the picture's grain (rigid_layer.with_grain). 6: a drawn shut mouth,
    # pressed or rounded, keeps its own line squeezed thin under the seam (sealed_mouth.pressed_line).
    # 7: a pucker eases out the corners' drop of a smile taken below the rest (deformation.py). 8: the
    # glasses turn with the landmarks under them (rigid_layer._anchors). 9: the glasses' temple arms are
    # found whole and each moves from its rim to the side of the head (runtime/render/temple_arms.py).
    # 10: a shut mouth's dark corners go as its lips part (sealed_mouth.dark_corners), and the line where
    # its lips met rides with a lifted upper lip (mouth_interior.MouthInterior._interior). 12: an open
    # mouth rounds into its corners, its edge antialiased square to the lips (openings._end_slope). 13:
    # on the CPU the warp's reads are OpenCV's (runtime/render/resampling.py): a channel a level apart
    # on under a thousandth of the pixels. 14: a pucker's lips bulge half as far (deformation.py). 15: an
    # opened mouth's edge is as soft as the portrait's own edges (runtime/render/edge_blur.py). 16: the
    # skin under a shut photo eye moves with its lower lid (eye_layer._Eye._under_lid), and an opened
    # mouth's tongue is larger and lit nearly as its lips (mouth_interior.TONGUE_TOP). 17: a small face
    # drawn in outlines is measured as outlined (_outline_at_own_resolution), synthesised teeth are
    # shaded towards the opening's corners (mouth_interior.TEETH_CORNER_SHADE), and a drawn shut mouth
    # pressed keeps more of its stroke (sealed_mouth.PRESS_THINNING 3 -> 1.5). 18: an open mouth's cavity
    # is filled for a closure as far as its edge is soft (sealed_mouth._grown_by_edge), and a flat-colour
    # portrait's lips meet in a drawn line (mouth_interior.MouthInterior.seam_line). 19: mouthClose holds the
    # lips together over an open jaw, and the chin then stays down (lip_seal.LipSeal). 20: what is left of a
    # sealing mouth's opening is the seam only where it is a sliver (mouth_interior.SEAM_SLIVER_PX). 21: a
    # portrait made of strokes keeps its grain where the face moves (warp_renderer._grain_split). 22: and
    # its lips too (mouth_interior.MouthInterior._lips_grain). 23: and its closing lids the grain of the
    # skin under the eye (eye_layer._Eye._skin_grain). 24: a flat-colour portrait's closing lids are one
    # flat tone of its skin (eye_layer._flat_lid). 25: a portrait made of strokes takes the texture it
    # measures at each tone, drawn or not (PortraitStyle.texture_at). 26: a drawing's open mouth shows its
    # tongue, and its mouth's colours are its own, not tinted towards a photo's (mouth_palette). 27: the flat
    # lid's skin read from the same bands as the lid's colours (eye_layer._skin_bands). 28: a portrait's
    # own lower teeth ride with the jaw, not the lower lip (mouth_interior.MouthInterior._lower_shift). 29:
    # and its rows' edges where they part are antialiased (mouth_interior.MouthInterior._source_halves). 30:
    # the lower row's jaw motion added to the upper row's, so a turned head no longer slides them apart.
    # 31: two-tone glasses (dark bars over pale rims) are found and held rigid (runtime/face/browline_frame.py).
    # 32: teeth where no eye white shows are ivory as colourful as the skin (mouth_palette._ivory). 33: a face
    # near the image's edge gets mirrored room beyond it (framing._clear_of_still_edge): a close crop's chin
    # tore along a straight line at a wide jaw. 34: eyeBlink 1 shuts an eye partly closed at rest
    # (deformation.BlendshapeDeformer._blinks_to_shut). 35: half-rim glasses (a rim over the lenses' tops,
    # rimless below) are found and held rigid (runtime/face/half_rim_frame.py). 36: a framing other than the
    # default searches for glasses only where the default framing found them (_glasses). 37: a closing lid
    # is mottled as the skin under the eye is, and its top takes the shade of the skin above it
    # (eye_layer._Eye._skin_grain, _tone_above). 38: the skin gathering with a rounding mouth falls off
    # with depth behind the lips (deformation.AROUND_MOUTH_DEPTH): a pucker dented a turned face's outline.
    # 39: the lid's mottling clipped at portrait_style.robust_sigma's spread (a second spelling of it went):
    # at most 1 level on up to 146 pixels of a blink frame. 40: a half-rim whose rim is a bar is found
    # (half_rim_frame.BAR). 41: a half-rim found as a thin line and as a bar is held by both masks, the
    # bar's off the eyes' margin. 42: a closed lid is shaded 0.22 darker where it turns down to its lashes, not
    # 0.16 (eye_layer.LID_SHADE). 43: sealing lips meet higher, the upper lip travelling 0.15 of the gap, not
    # 0.35 (lip_seal.UPPER_SHARE). 44: a bar half-rim's mask runs on down the rims' ends
    # (half_rim_frame.END_REACH). 45: a bridge found as a line runs on unbroken across the nose
    # (glasses.BRIDGE_FLOOR) and a solid frame's two rings may differ by 18 in colour, not 12
    # (solid_frame.MAX_COLOUR_DIFFERENCE): on another machine a stylised face's drawn lids passed for
    # rims and a coloured pencil's acetate went unfound, both on those margins; grid_sample reads a
    # drawing's grain from the pixel OpenCV's remap reads (resampling). 46: a rim found as a line runs
    # along the middle of its band where the band is no wider than a frame, not on the line filter's
    # peak at a thick rim's edge (glasses._band_middles), and a temple arm may leave the rim anywhere
    # across its width. 47: a half-rim's bar, once found, is followed from the bridge over the brows too,
    # along its middle, and on past the eyes' outer corners (half_rim_frame._along_the_bar, _centred,
    # _on_past_the_corners), its mask 2 px wider (BAR_EDGE_PX). 48: a two-tone frame's bars lying on the
    # lashes are held down to their lower edge, in their own colour, within the eyes' margin (browline_frame._foot).
    # 49: a closing lid's top takes the shade of the frame's picture just above it, not of the portrait's
    # there at rest (eye_layer._Eye._above_lid). 50: a half-rim bar's mask keeps to its colour below its
    # top, and a thin rim's to the bar's mask, not the lashes and crease under it (half_rim_frame._search).
    # 51: a half-rim's temple arms are followed out from its mask's ends (glasses._half_rim_arms). 52: its rims'
    # turned-down ends beside the eyes are followed down from the bar as thin runs of its colour
    # (half_rim_frame._with_turned_down_ends). 53: a dark rim's ring, above the eye, is moved out to the rim's
    # outer edge where that edge is seen, and the rim out to it stays frame across the brows' margin
    # (glasses._dark_rims, runtime/face/rim_outer_edge.py). 54: a half-rim's outer turned-down ends are followed
    # down past the bar's path's ends, out to the strip's, and across their rounded corners
    # (half_rim_frame._beside_the_eyes, CORNER_WIDTH). 55: across its width a temple arm moves as the rims do,
    # not square to its new length: a turn that foreshortens an arm no longer turns it (temple_arms.ArmMotion).
    # 56: where the warp stretches a drawing, its grain is the paper's, not the nearest pixel's drawn out
    # into streaks (stretched_grain.py).
    # 57: shaded synthesised teeth take on the mouth's hue (teeth.warm_shade) rather than greying.
    # 58: a portrait's own lower interior drawn out by a lip dropped far beyond the jaw gives way to the
    # synthesised one (mouth_interior.LOWER_HALF_DRAWN_OUT).
    # 59: the lower row of synthesised teeth, in the upper row's shade, is warmed as shade is (teeth.warm_shade).
    # 60: sealed lips' bands reach round the mouth's corners, which stay whole (lip_bands._past_the_corners).
    # 61: a full pucker shuts the lips (lip_seal.SEAL_SHARES: mouthPucker 0.4 → 0.5).
    # 62: parted lips' bands reach round the corners too, where no line draws the lips: no cut in the skin
    # beside an open mouth's corners (lip_bands._past_the_corners).
    # 63: a shut mouth's corner shadow is only what is darker than its line's middle: dark lips keep their colour
    # as they part (sealed_mouth.CORNER_UNDER_MIDDLE).
    # 64: joined to the corners along the lips, only what is darker than 0.7 of the line's middle is shadow: a
    # dark upper lip darker still towards one corner, under the light, is lip (sealed_mouth.ALONG_UNDER_MIDDLE).
    # 65: synthesised teeth behind rounded lips are in their shade (mouth_interior.ROUNDED_TEETH_SHADE). 66: most
    # at the opening's sides (ROUNDED_CORNER_SHADE): the light comes in through its middle.
    # 67: an inked portrait's band of ink over the eye slides down as the closing lid's edge, skin over it
    # (eye_layer.MAX_INKED_LID): its shut eye was a grey almond in a black ring. 68: its shut mouth's inked line
    # runs on past the corners no more as the lips part (sealed_mouth.inked_line_ends): black wedges beside the tips.
    # 69: nor as they round: its ends roll away with the lips' (a full pucker's line ended in blots).
    version = "69"

    def __init__(self, avatar: Avatar, options: FrameOptions = DEFAULT_FRAME_OPTIONS, device: str = "cpu") -> None:
        """`device`: cpu, cuda or cuda:N (runtime/render/device.py)."""
        keep_freed_memory()  # a rendering process reuses its frame buffers (runtime/render/allocator.py)
        self.avatar_id = avatar.avatar_id
        self.options = options
        framed = frame_portrait(avatar.image, avatar.landmarks, options)
        left, top, self.width, self.height = framed.crop
        self.origin = (left, top)  # the frame's top-left pixel in the framed portrait the warp works on
        glasses = _glasses(avatar, framed, options)
        self.wears_glasses = glasses is not None
        kind = _kind(avatar, (framed, glasses) if options == STYLE_FRAMING else None)
        self._renderer = WarpRenderer(framed.image, framed.landmarks, rest=avatar.rest_state, rigid_mask=glasses,
                                      view=framed.crop, config=WarpRendererConfig(device=render_device(device)),
                                      kind=kind)

    def render(self, frames: Iterable[MotionFrame], max_batch: int = MAX_BATCH_FRAMES) -> Iterator[RenderedFrame]:
        """Each frame's picture, in order, `max_batch` frames per render call. Lazy: frames are
        taken from `frames` as the pictures are read, so a generator renders with one batch in memory."""
        if max_batch < 1:
            raise InvalidConfigError(f"max_batch must be at least 1, got {max_batch}")
        return self._rendered(frames, max_batch)

    def _rendered(self, frames: Iterable[MotionFrame], max_batch: int) -> Iterator[RenderedFrame]:
        source = iter(frames)
        while batch := list(itertools.islice(source, max_batch)):
            images = self.render_latents(*frame_latents(batch))  # (B, H, W, 3)
            yield from (RenderedFrame(frame.index, frame.time_s, rgb) for frame, rgb in zip(batch, images, strict=True))

    def render_latents(self, blendshapes: np.ndarray, poses: np.ndarray) -> np.ndarray:
        """(B, 52) ARKit weights and (B, 6) head poses → (B, H, W, 3) uint8 RGB frames."""
        with torch.inference_mode():
            return self._renderer.render(blendshapes, poses).cpu().numpy()


def _glasses(avatar: Avatar, framed: FramedPortrait, options: FrameOptions) -> np.ndarray | None:
    """The glasses' mask over `framed.image`, or None: found at the frame's own scale, or else at the
    default framing's and carried over. How thin lines stand out of a drawing's strokes or a painting's
    outlines changes with the scale a portrait is resampled to: of the test portraits wearing glasses,
    all fifteen are found in the default framing (head, 512²), but five are missed at some other framing
    or size (a coloured pencil drawing in a 512² face crop, a silver frame at 256², an oil painting at
    1024²), and their rims then bent with every blink. Nor are glasses found at another scale where the
    default framing finds none: that is the search the test set holds to claim no glasses on a face
    without them, and at a 512² face crop the ring test took a stylised portrait's outlined lids and eye
    bags for rims (the tuning set's open-stylization-turned), which then held still."""
    default, found = _default_glasses(avatar)
    if options == DEFAULT_FRAME_OPTIONS or found is None:
        return found
    glasses = find_glasses(framed.image, framed.landmarks)
    return glasses if glasses is not None else carry_mask(found, default, framed)


def _default_glasses(avatar: Avatar) -> tuple[FramedPortrait, np.ndarray | None]:
    """The avatar in the default framing and its glasses' mask found there (or None), once per avatar:
    a renderer in the default framing, the kind's measure in STYLE_FRAMING (_kind) and every framing
    whose own search misses the glasses ask for it, and a search costs 0.1-0.3 s."""
    found = _DEFAULT_GLASSES.get(avatar)
    if found is None:
        default = frame_portrait(avatar.image, avatar.landmarks, DEFAULT_FRAME_OPTIONS)
        found = _DEFAULT_GLASSES[avatar] = (default, find_glasses(default.image, default.landmarks))
    return found


def _kind(avatar: Avatar, in_style_framing: tuple[FramedPortrait, np.ndarray | None] | None = None) -> PortraitKind:
    """What kind of picture the portrait is, measured on its picture in STYLE_FRAMING with the glasses
    taken out (`in_style_framing`: that framing and its glasses' mask where the caller has them).
    Once per avatar: with its glasses search it costs 0.4-0.9 s, up to as much again as a renderer's
    own build."""
    kind = _KINDS.get(avatar)
    if kind is None:
        if in_style_framing is None:
            framed = frame_portrait(avatar.image, avatar.landmarks, STYLE_FRAMING)
            in_style_framing = framed, _glasses(avatar, framed, STYLE_FRAMING)
        framed, glasses = in_style_framing
        image, _ = cut_out(framed.image, glasses)
        own = _outline_at_own_resolution(image, framed.landmarks, max(framed.scale))
        kind = _KINDS[avatar] = portrait_style(image, framed.landmarks, least_outline=own).kind
    return kind


def _outline_at_own_resolution(image: np.ndarray, landmarks: np.ndarray, scale: float) -> float:
    """How much a portrait that STYLE_FRAMING enlarges (`scale` its pixels per portrait pixel) draws in
    lines, measured back at its own resolution. A small face's lines are a few of its pixels wide and
    enlarged they blur into soft bands that stand less than LINE_CONTRAST out of their neighbourhood: a
    flat-colour painting with thick black outlines, its face 90 px wide, read 0.01 of its skin in lines
    framed 3.3x larger (a photo's share: it got a photo's faint seam at p, b and m, its sealed mouth a
    pale crescent) and 0.03 at its own size (the outlined test portraits read 0.03-0.10 in STYLE_FRAMING)."""
    if scale <= 1.0:
        return 0.0
    height, width = image.shape[:2]
    size = (max(1, round(width / scale)), max(1, round(height / scale)))
    shrunk = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    points = np.asarray(landmarks, dtype=np.float64)[:, :2].copy()
    points = (points + 0.5) * (np.array(size) / (width, height)) - 0.5
    return outline_share(shrunk, points)


def frame_latents(frames: list[MotionFrame]) -> tuple[np.ndarray, np.ndarray]:
    """What render_latents takes from motion frames: (B, 52) ARKit weights and (B, 6) head poses."""
    return np.stack([frame.blendshapes for frame in frames]), np.stack([frame.head_pose.as_array() for frame in frames])
