"""Logs: several processes writing to one stderr (`serve --processes N`) still give one JSON object per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WRITER = """
import sys
from service.log import configure_logging, get_logger
configure_logging("json")
log = get_logger("race")
for index in range(1500):
    log.info("line", writer=sys.argv[1], index=index, padding="x" * 200)
"""


def test_processes_sharing_stderr_write_whole_lines() -> None:
    """Three processes on one pipe: with print(), which writes a record and its newline apart, about
    one line in seven came out run together with another process's."""
    read_end, write_end = os.pipe()
    root = Path(__file__).resolve().parent.parent
    try:
        writers = [subprocess.Popen([sys.executable, "-c", WRITER, name], cwd=root, stdout=subprocess.DEVNULL,
                                    stderr=write_end) for name in "abc"]
    finally:
        os.close(write_end)  # the writers hold it now: the pipe ends when they do
    with os.fdopen(read_end) as reader:
        lines = reader.read().splitlines()
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    records = [json.loads(line) for line in lines]  # raises on a line two records ran into
    assert sorted((record["writer"], record["index"]) for record in records) == [
        (name, index) for name in "abc" for index in range(1500)]
