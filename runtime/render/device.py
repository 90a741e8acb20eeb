"""Where frames are rendered: the CPU, or one CUDA GPU (`--device cuda`, `cuda:N`).

The renderer is torch and runs the same code on either but for the warp's two big bilinear reads,
which OpenCV does on the CPU (runtime/render/resampling.py; tests/test_render.py checks CUDA against
the CPU where a GPU is present, and OpenCV's reads against grid_sample's everywhere); the motion
engine stays on the CPU, where its small numpy products are fastest. A device this machine does not
have is refused when the server or the command starts, in one line, not at the first rendered frame."""

from __future__ import annotations

import re

from runtime.errors import InvalidConfigError

DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d+)?")


def render_device(name: str) -> str:
    """`name` if it is 'cpu', or 'cuda' / 'cuda:N' naming a GPU torch can use here."""
    if not DEVICE_PATTERN.fullmatch(name):
        raise InvalidConfigError(f"device must be cpu, cuda or cuda:N, got {name!r}")
    if name == "cpu":
        return name
    import torch  # only where a GPU is asked for: settings stay light to parse

    if not torch.cuda.is_available():
        raise InvalidConfigError(f"device {name}: torch finds no CUDA device on this machine (use --device cpu)")
    index = int(name.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise InvalidConfigError(f"device {name}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    return name
