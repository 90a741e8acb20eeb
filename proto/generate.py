"""Regenerates the Python code of the wire contract, or checks that the committed code is fresh.

    python proto/generate.py            # rewrite service/api/ from proto/facecast/v1/*.proto
    python proto/generate.py --check    # exit 1 if service/api/ differs from a fresh generation
    python proto/generate.py --update-image   # also rebuild proto/image/ (the `buf breaking`
                                              # baseline): only after a compatible change

protoc writes imports as `from facecast.v1 import x_pb2`; the generated modules live in the
package `service.api`, so those imports are rewritten to relative ones.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PROTO_ROOT.parent
PROTO_PACKAGE_DIR = PROTO_ROOT / "facecast" / "v1"
OUTPUT_DIR = REPO_ROOT / "service" / "api"
IMAGE_PATH = PROTO_ROOT / "image" / "facecast_v1.binpb"
INIT_TEXT = '"""Generated code of the facecast.v1 wire contract (proto/generate.py). Do not edit."""\n'
ABSOLUTE_IMPORT = re.compile(r"^from facecast\.v1 import ", re.MULTILINE)


def generate(output_dir: Path) -> None:
    """Runs protoc (grpcio-tools) on every .proto file and writes the modules to `output_dir`."""
    with tempfile.TemporaryDirectory() as scratch:
        protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_PACKAGE_DIR.glob("*.proto"))
        command = [
            sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_ROOT}",
            f"--python_out={scratch}", f"--pyi_out={scratch}", f"--grpc_python_out={scratch}",
            *protos,
        ]
        subprocess.run(command, check=True, cwd=PROTO_ROOT)
        output_dir.mkdir(parents=True, exist_ok=True)
        for generated in sorted((Path(scratch) / "facecast" / "v1").iterdir()):
            text = ABSOLUTE_IMPORT.sub("from . import ", generated.read_text())
            (output_dir / generated.name).write_text(text)
        (output_dir / "__init__.py").write_text(INIT_TEXT)


def is_fresh() -> bool:
    """True when the committed generated code equals a fresh generation."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        generate(fresh)
        committed = {p.name for p in OUTPUT_DIR.iterdir() if p.is_file()}
        generated = {p.name for p in fresh.iterdir()}
        if committed != generated:
            return False
        match, mismatch, errors = filecmp.cmpfiles(fresh, OUTPUT_DIR, sorted(generated), shallow=False)
        return not mismatch and not errors


def build_image(path: Path) -> None:
    """Writes the contract's buf image (the baseline `buf breaking` compares against)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([buf_executable(), "build", "-o", str(path)], check=True, cwd=PROTO_ROOT)


def buf_executable() -> str:
    """The `buf` binary of the PyPI package buf-bin, next to this interpreter or on PATH."""
    beside = Path(sys.executable).parent / "buf"
    found = str(beside) if beside.exists() else shutil.which("buf")
    if found is None:
        raise SystemExit("buf not found: pip install buf-bin (it is in the `dev` extra)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that service/api is fresh")
    parser.add_argument("--update-image", action="store_true", help="also rebuild the buf image")
    args = parser.parse_args()
    if args.check:
        fresh = is_fresh()
        print("service/api is fresh" if fresh else "service/api is stale: run python proto/generate.py")
        return 0 if fresh else 1
    for stale in OUTPUT_DIR.glob("*_pb2*.py*"):
        stale.unlink()
    generate(OUTPUT_DIR)
    if args.update_image:
        build_image(IMAGE_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
