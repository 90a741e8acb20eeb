"""`facecast serve` as a child process, its port read from its JSON log: for tests, benchmarks and
tools that need a real server in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def facecast_command(*args: str) -> list[str]:
    """The installed `facecast` script beside this interpreter, or the module when run from a tree."""
    script = Path(sys.executable).parent / "facecast"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "service.cli.main", *args]


class ServerProcess:
    """Starts `facecast serve --port 0 --log-format json FLAGS` and waits until it listens."""

    def __init__(self, *flags: str, start_timeout_s: float = 60.0) -> None:
        self.process = subprocess.Popen(facecast_command("serve", "--port", "0", "--log-format", "json", *flags),
                                        stderr=subprocess.PIPE, text=True)
        self.log: list[dict] = []
        started = self.wait_for("server_started", start_timeout_s)
        self.port = int(started["port"])
        self.address = f"127.0.0.1:{self.port}"

    def wait_for(self, event: str, timeout_s: float = 30.0) -> dict:
        """Reads the log until `event` (blocking reads: the server logs at least once a session)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            record = json.loads(line)
            self.log.append(record)
            if record["event"] == event:
                return record
        raise RuntimeError(f"the server never logged {event}; its log: {self.log[-5:]}")

    def stop(self, timeout_s: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout_s)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
