"""LipSeal: lips that meet when a frame asks for a closure, whatever the portrait's own mouth shows.

ARKit's closure shapes — mouthClose (lips together while the jaw is open), mouthPress, mouthRoll —
say *that* the lips meet, not by how many pixels they must move: that depends on how far apart they
are in this portrait and in this frame (a portrait smiling with its teeth apart, a jaw opened a
little by the same viseme). So the seal is applied last, to the deformed landmarks: the frame's
closure weights (relative to the portrait's own) give a seal strength, and each inner-lip pair —
and, less, the outer contour behind it — closes that share of the gap between them. The lower lip
does most of the moving, as it does in speech.
"""

from __future__ import annotations

import torch
from torch import nn

from runtime.arkit import blendshape_index
from runtime.numerics import hermite_step
from runtime.render.landmark_groups import LIPS

# How much each shape's weight (frame minus rest) counts towards a full seal; a p, b or m (mouthPress
# 0.35 on each side, mouthClose 0.06, mouthRollLower 0.15 at full strength) comes to about 1.3; a full
# pucker to 0.5, shut: ARKit's mouthPucker is "the contraction and compression of both closed lips" (its
# open rounding is mouthFunnel). At 0.4 a full pucker sealed 0.79 of the way, and a portrait that shows its
# teeth kept a white sliver of them between pursed lips. Speech's puckers (0.32 at most on the LibriVox
# clips) stay below the ramp alone, and seal a little more beside a p, b or m's other shapes. The learned
# mouth's p, b and m frames (PP ≥ 0.8 on LibriVox speech) sum to 0.39–1.13.
SEAL_SHARES = {"mouthClose": 3.0, "mouthPressLeft": 1.5, "mouthPressRight": 1.5,
               "mouthRollLower": 1.0, "mouthRollUpper": 1.0, "mouthPucker": 0.5}
SEAL_RAMP = (0.15, 0.5)  # seal sums over which the lips go from apart to meeting
# The jaw's opening that reaches the lips — jawOpen less mouthClose, both over the rest (ARKit's
# mouthClose = jawOpen is a dropped jaw with the lips together) — over which it overrules the seal.
OPEN_JAW = (0.18, 0.35)
# Of the gap, what the upper lip travels; the lower lip, on the jaw, travels the rest (in speech the jaw and
# lower lip make most of a p, b or m's closing). At 0.35 a mouth the portrait shows open met far below its
# upper lip: the upper lip stretched tall over what had been the opening (on a photo a tall pink band over a
# thin lower lip; on the open pencil drawing a pale crescent of filled paper above the seam), and the tuning
# set's open pencil read 76 % of its closures shut; at 0.15, 86 % (renderer 43, docs/renderer_log.md).
UPPER_SHARE = 0.15
OUTER_SHARE = 0.6  # how far the upper lip's outer contour follows its inner edge (the lip stretches down)


class LipSeal(nn.Module):
    def __init__(self, landmarks_px: torch.Tensor, jaw_weights: torch.Tensor) -> None:
        """landmarks_px (478, 3) the avatar's landmarks in pixels; jaw_weights (478,) how fully each
        rides on the jaw (deformation.jaw_weights)."""
        super().__init__()
        self.register_buffer("columns", torch.tensor([blendshape_index(name) for name in SEAL_SHARES]))
        self.register_buffer("shares", torch.tensor(list(SEAL_SHARES.values())))
        self.jaw_open, self.mouth_close = blendshape_index("jawOpen"), blendshape_index("mouthClose")
        # Inner and outer contours pair up point for point, corner to corner; the corners stay.
        self.upper_inner, self.lower_inner = list(LIPS.inner_upper[1:-1]), list(LIPS.inner_lower[1:-1])
        self.upper_outer, self.lower_outer = list(LIPS.outer_upper[1:-1]), list(LIPS.outer_lower[1:-1])
        self.register_buffer("source_gap", landmarks_px[self.lower_inner] - landmarks_px[self.upper_inner])  # (K, 3)
        # The lower lip rides on the jaw: it rises whole, and the chin with it (the jaw closes a
        # little). Moving the lower lip's edge alone stretched the lip and the skin under it: on a
        # drawing into streaks of its paper's grain, on a stylised portrait into a second dark line
        # under its mouth line, which read as parted lips (the thin-silver tuning portrait's
        # closures, 0.035 of the mouth's width apart at rest, read 0.047 apart; now 0.027).
        carried = jaw_weights.clone()
        carried[list(LIPS.all)] = 0.0
        self.register_buffer("carried", carried[None, :, None])  # (1, 478, 1)

    def strength(self, weight_deltas: torch.Tensor) -> torch.Tensor:
        """(B, 52) weights over the rest → (B,) how fully the lips meet, 0..1 (the mouth layer draws a
        sealed mouth by it too)."""
        closing = hermite_step(*SEAL_RAMP, (weight_deltas[:, self.columns] * self.shares).sum(dim=1))  # (B,)
        # An open jaw says the lips are apart, whatever pressing an emotion adds (an angry mouth still
        # opens for its vowels); a p, b or m keeps the jaw nearly shut. Unless mouthClose holds the lips
        # together over it: then only the jaw's opening beyond mouthClose parts them.
        parting = weight_deltas[:, self.jaw_open] - weight_deltas[:, self.mouth_close]
        return closing * (1.0 - hermite_step(*OPEN_JAW, parting))

    def _jaw_follows(self, weight_deltas: torch.Tensor) -> torch.Tensor:
        """(B, 52) → (B,) how much of the lower lip's rise the chin shares: whole for a jaw near shut
        (a p, b or m closes it a little), none for a jaw held open under lips held together
        (mouthClose over a dropped jaw stretches the lips; raising the chin would undo the jaw)."""
        return 1.0 - hermite_step(*OPEN_JAW, weight_deltas[:, self.jaw_open])

    def forward(self, displacements: torch.Tensor, weight_deltas: torch.Tensor) -> torch.Tensor:
        """(B, 478, 3) displacements and (B, 52) weight deltas → displacements with the lips sealed."""
        strength = self.strength(weight_deltas)
        if not bool((strength > 0.0).any()):
            return displacements
        gap = self.source_gap + displacements[:, self.lower_inner] - displacements[:, self.upper_inner]  # (B, K, 3)
        closing = strength[:, None, None] * gap
        sealed = displacements.clone()
        sealed[:, self.upper_inner] += UPPER_SHARE * closing
        sealed[:, self.lower_inner] -= (1.0 - UPPER_SHARE) * closing
        sealed[:, self.upper_outer] += OUTER_SHARE * UPPER_SHARE * closing
        sealed[:, self.lower_outer] -= (1.0 - UPPER_SHARE) * closing
        chin_rise = self._jaw_follows(weight_deltas)[:, None, None] * closing.mean(dim=1, keepdim=True)  # (B, 1, 3)
        return sealed - self.carried * (1.0 - UPPER_SHARE) * chin_rise
