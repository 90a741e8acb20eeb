"""One avatar store shared by many servers (DESIGN.md, "Scale-out"): processes that each open their
own AvatarStore on one directory agree on every avatar, never read a torn or damaged one while
others create, delete and evict, and an eviction on one server does not end a session on another."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import numpy as np
import pytest
from PIL import Image

from runtime.atomic_file import publish_once
from runtime.face.avatar import avatar_id_for
from runtime.face.avatar_store import AvatarStore
from service.api import animate_pb2, avatar_pb2
from tests.portraits import portrait_png
from tests.server_harness import audio, config, end, start_server, stub_for, wait_until
from tests.shared_store_worker import pixel_digest

ROOT = Path(__file__).resolve().parent.parent
NODE_TIMEOUT_S = 120.0  # a loaded 2-core CI box starts four Pythons slowly; the work itself is seconds


def _noise_pngs(folder: Path, count: int) -> list[Path]:
    """Small distinct portraits (the fake analysis takes any image)."""
    paths = []
    for index in range(count):
        rgb = np.random.default_rng(index).integers(0, 256, (24, 32, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, format="PNG")
        path = folder / f"portrait-{index}.png"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


def _expected_pixels(paths: list[Path]) -> dict[str, str]:
    """avatar id -> digest of the pixels any node must serve under it."""
    expected = {}
    for path in paths:
        with Image.open(path) as image:
            expected[avatar_id_for(path.read_bytes())] = pixel_digest(np.asarray(image.convert("RGB")))
    return expected


def _run_nodes(tmp_path: Path, node_options: list[dict]) -> list[tuple[list[dict], str]]:
    """Starts the nodes, lets them go at once when all have started (their imports take seconds on a
    busy machine: a node let go before the others could run its whole time alone), and returns
    each one's (operations, stderr). Their output goes to files, not pipes: a node that reports an
    operation per millisecond fills a pipe's 64 KiB long before the test reads it, and would then
    sit blocked in `print` while the others ran (readers that only ever saw an empty store)."""
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{index}" for index in range(len(node_options))]
    outputs = [(tmp_path / f"node-{index}.out", tmp_path / f"node-{index}.err") for index in range(len(node_options))]
    processes = []
    for options, flag, (out, err) in zip(node_options, ready, outputs, strict=True):
        with out.open("w") as stdout, err.open("w") as stderr:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "tests.shared_store_worker",
                 json.dumps({**options, "go_file": str(go), "ready_file": str(flag)})],
                cwd=ROOT, stdout=stdout, stderr=stderr, text=True))
    try:
        wait_until(lambda: all(flag.exists() for flag in ready) or any(p.poll() is not None for p in processes),
                   timeout_s=NODE_TIMEOUT_S, what="every node started")
    finally:
        go.touch()
    results = []
    try:
        for process, (out, err) in zip(processes, outputs, strict=True):
            process.wait(timeout=NODE_TIMEOUT_S)
            stderr = err.read_text()
            assert process.returncode == 0, stderr[-3000:]
            results.append(([json.loads(line) for line in out.read_text().splitlines()], stderr))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return results


def test_racing_creates_of_the_same_portraits_agree_on_one_avatar_each(tmp_path):
    images = _noise_pngs(tmp_path, 8)
    directory = tmp_path / "avatars"
    nodes = _run_nodes(tmp_path, [
        {"directory": str(directory), "role": "create", "images": [str(p) for p in images], "name": f"node-{i}",
         "analysis_s": 0.05} for i in range(4)])
    creates = [operations for operations, _ in nodes]
    with AvatarStore(directory) as fresh:
        for index, path in enumerate(images):
            answers = {(node[index]["id"], node[index]["name"], node[index]["created"]) for node in creates}
            stored = fresh.get(avatar_id_for(path.read_bytes()))
            # One winner, and every node answered with it, as one server answers an idempotent create.
            assert answers == {(stored.avatar_id, stored.display_name, stored.created_unix_s)}, index
    assert len(list(directory.glob("*.msgpack"))) == len(list(directory.glob("*.png"))) == len(images)
    assert not list(directory.glob(".*.tmp"))


def test_readers_see_whole_avatars_while_other_nodes_create_delete_and_evict(tmp_path, caplog):
    images = _noise_pngs(tmp_path, 6)
    expected = _expected_pixels(images)
    directory, max_avatars, churners = tmp_path / "avatars", 3, 2
    shared = {"directory": str(directory), "images": [str(p) for p in images], "ids": sorted(expected),
              "max_avatars": max_avatars, "duration_s": 3.0}
    nodes = _run_nodes(tmp_path, [{**shared, "role": "churn", "seed": i, "analysis_s": 0.01} for i in range(churners)]
                       + [{**shared, "role": "read", "seed": 10 + i} for i in range(2)])
    operations = [operation for node, _ in nodes for operation in node]
    assert not [operation for operation in operations if operation["op"] == "error"]
    assert not [stderr for _, stderr in nodes if "damaged" in stderr]  # never a torn file read as damage
    served = [op for op in operations if op["op"] in ("get", "create") and "pixels" in op]
    assert served and all(op["pixels"] == expected[op["id"]] for op in served)
    gets = [op["outcome"] for op in operations if op["op"] == "get"]
    assert "ok" in gets and "not_found" in gets  # the readers did meet evictions and deletes
    # A list may catch each churner between publishing its record and evicting down to the limit.
    assert all(len(op["ids"]) <= max_avatars + churners for op in operations if op["op"] == "list")
    # Each node evicts down to the limit after its own create; two racing creates can leave one extra.
    assert len(list(directory.glob("*.msgpack"))) <= max_avatars + churners - 1
    with caplog.at_level(logging.WARNING), AvatarStore(directory, max_avatars=max_avatars) as fresh:
        assert {avatar.avatar_id for avatar in fresh.list()} <= set(expected)
    assert "damaged" not in caplog.text


def test_publish_once_keeps_the_first_file_and_falls_back_without_hard_links(tmp_path, monkeypatch):
    target = tmp_path / "record"
    assert publish_once(target, b"first") and not publish_once(target, b"second")
    assert target.read_bytes() == b"first"

    def no_hard_links(source, destination):
        raise PermissionError(1, "Operation not permitted")  # what FAT or an SMB mount answers

    monkeypatch.setattr("runtime.atomic_file.os.link", no_hard_links)
    other = tmp_path / "other"
    assert publish_once(other, b"first") and not publish_once(other, b"second")
    assert other.read_bytes() == b"first"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["other", "record"]  # no temp files left


def _held_session(sample_rate: int, avatar_id: str, release: threading.Event):
    """A rendered session that sends its audio only once `release` is set."""
    yield config(sample_rate, avatar_id=avatar_id, output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES, frame_size=256)
    release.wait(60)
    yield audio(b"\0\0" * (sample_rate // 2))
    yield end()


def test_an_eviction_on_one_server_does_not_end_a_session_on_another(tmp_path):
    shared = str(tmp_path / "avatars")
    evicting, serving = start_server(avatar_dir=shared, max_avatars=1), start_server(avatar_dir=shared, max_avatars=1)
    release = threading.Event()
    try:
        with grpc.insecure_channel(evicting.address) as first, grpc.insecure_channel(serving.address) as second:
            creating, using = stub_for(first), stub_for(second)
            photo = creating.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=portrait_png("photo")), timeout=60)
            session = using.Animate(_held_session(16_000, photo.avatar.avatar_id, release), timeout=90)
            assert next(session).WhichOneof("response") == "started"
            # The second avatar evicts the first from the shared store, on the other server.
            creating.CreateAvatar(avatar_pb2.CreateAvatarRequest(image=portrait_png("painting")), timeout=60)
            assert not (tmp_path / "avatars" / f"{photo.avatar.avatar_id}.msgpack").exists()
            release.set()
            responses = list(session)
            assert sum(response.WhichOneof("response") == "frame" for response in responses) > 0
            assert responses[-1].status.code == grpc.StatusCode.OK.value[0]
            with pytest.raises(grpc.RpcError) as gone:  # the next start learns of the eviction
                list(using.Animate(iter([config(16_000, avatar_id=photo.avatar.avatar_id), end()]), timeout=30))
            assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        release.set()
        evicting.stop()
        serving.stop()
