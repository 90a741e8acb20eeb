"""The learned mouth's torch twin, for training and ONNX export; parameter names match the
weights file that `runtime.motion.audio_to_mouth.LearnedMouth` runs with numpy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from runtime.motion.audio_to_mouth import MouthNetConfig


class CausalConv(nn.Conv1d):
    """Conv1d that pads only on the left: output t sees inputs t - (kernel - 1) * dilation .. t."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, dilation: int) -> None:
        super().__init__(channels_in, channels_out, kernel, dilation=dilation)
        self.left = (kernel - 1) * dilation

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T) -> (B, C_out, T)
        return super().forward(nn.functional.pad(x, (self.left, 0)))


class MouthNet(nn.Module):
    def __init__(self, config: MouthNetConfig) -> None:
        super().__init__()
        self.config = config
        self.register_buffer("input_mean", torch.zeros(config.n_mels))
        self.register_buffer("input_std", torch.ones(config.n_mels))
        self.conv_in = CausalConv(config.n_mels, config.channels, config.kernel, 1)
        self.blocks = nn.ModuleList(CausalConv(config.channels, config.channels, config.kernel, d)
                                    for d in config.dilations)
        self.head = nn.Linear(config.channels, config.outputs)

    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:  # (B, T, n_mels) -> (B, T, outputs)
        x = ((log_mel - self.input_mean) / self.input_std).transpose(1, 2)  # (B, n_mels, T)
        hidden = torch.relu(self.conv_in(x))  # (B, C, T)
        for block in self.blocks:
            hidden = hidden + torch.relu(block(hidden))
        return self.head(hidden.transpose(1, 2))  # (B, T, outputs)


@torch.no_grad()
def without_speech_output(model: MouthNet) -> MouthNet:
    """The network with its head's speech-presence row dropped: a mouth that keeps the session's
    energy voice activity, as version 1 does (a speech row trained without non-speech audio does not
    know noise from talking, and would gate the lips with that)."""
    if not model.config.speech_output:
        return model
    trimmed = MouthNet(replace(model.config, speech_output=False))
    state = {name: tensor[:-1] if name.startswith("head.") else tensor for name, tensor in model.state_dict().items()}
    trimmed.load_state_dict(state)
    return trimmed.eval()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def save_weights(model: MouthNet, path: str | Path) -> None:
    """numpy arrays under the state-dict names, plus the config as JSON: no torch needed to load."""
    arrays = {name: tensor.detach().cpu().numpy().astype(np.float32) for name, tensor in model.state_dict().items()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(path).with_suffix(".partial.npz")
    np.savez(temporary, config=np.array(model.config.to_json()), **arrays)
    temporary.replace(path)


def load_network(path: str | Path) -> MouthNet:
    from runtime.motion.audio_to_mouth import load_weights

    config, arrays = load_weights(path)
    model = MouthNet(config)
    model.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in arrays.items()})
    return model.eval()
