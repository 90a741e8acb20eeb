"""Export the learned mouth to ONNX (for onnxruntime or TensorRT).

    python -m runtime.train.export_onnx [--weights runtime/weights/audio_to_mouth.npz] [--out audio_to_mouth.onnx]

The graph is the whole-sequence network: input `log_mel` (batch, hops, 80), output `outputs`
(batch, hops, 15 + mouth columns), both with dynamic batch and hop axes. To stream with it, feed
each chunk preceded by the previous `receptive_field_hops - 1` hops of log-mel and keep the last
rows, or run it on whole clips; output row j describes hop j - lookahead_hops, as in numpy.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch

from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS
from runtime.train.mouth_network import MouthNet, load_network

OPSET = 17


def export(model: MouthNet, path: str | Path, example_hops: int = 100) -> None:
    example = torch.zeros(1, example_hops, model.config.n_mels)
    # The TorchScript exporter (the dynamo one needs onnxscript, which we do not install) warns that it
    # is legacy and that it cannot constant-fold our slices: neither changes the graph we test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, (example,), str(path), input_names=["log_mel"], output_names=["outputs"],
                          dynamic_axes={"log_mel": {0: "batch", 1: "hops"}, "outputs": {0: "batch", 1: "hops"}},
                          opset_version=OPSET, dynamo=False)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--out", type=Path, default=Path("audio_to_mouth.onnx"))
    args = parser.parse_args(argv)
    export(load_network(args.weights), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
