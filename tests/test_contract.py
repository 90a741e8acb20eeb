"""The wire contract: lint, no breaking change against the committed image, generated code fresh."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROTO = REPO / "proto"
IMAGE = PROTO / "image" / "facecast_v1.binpb"


def _buf() -> str:
    beside = Path(sys.executable).parent / "buf"
    found = str(beside) if beside.exists() else shutil.which("buf")
    assert found, "buf not installed: pip install -e '.[dev]' (buf-bin)"
    return found


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_buf_lint_passes():
    result = _run(_buf(), "lint", cwd=PROTO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_breaking_change_against_the_committed_image():
    result = _run(_buf(), "breaking", "--against", str(IMAGE), cwd=PROTO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_breaking_check_catches_a_renumbered_field(tmp_path):
    copy = tmp_path / "proto"
    shutil.copytree(PROTO, copy)
    motion = copy / "facecast" / "v1" / "motion.proto"
    text = motion.read_text()
    assert "float voice_activity = 7;" in text
    motion.write_text(text.replace("float voice_activity = 7;", "float voice_activity = 8;"))
    result = _run(_buf(), "breaking", "--against", str(IMAGE), cwd=copy)
    assert result.returncode != 0
    assert "voice_activity" in result.stdout + result.stderr


def test_generated_python_code_is_fresh():
    result = _run(sys.executable, "proto/generate.py", "--check", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", sorted((PROTO / "facecast" / "v1").glob("*.proto")), ids=lambda p: p.name)
def test_every_message_enum_and_rpc_is_documented(path):
    """Each message, enum and rpc has a comment right above it (fields are checked by review:
    some, like AudioChunk.data, are explained by their message's comment)."""
    lines = path.read_text().splitlines()
    missing = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        declares = stripped.startswith(("message ", "enum ", "rpc "))
        if declares and not lines[number - 1].strip().startswith("//"):
            missing.append(f"{path.name}:{number + 1}: {stripped}")
    assert not missing, "undocumented:\n" + "\n".join(missing)
