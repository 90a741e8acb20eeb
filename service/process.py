"""`facecast serve` as a child process, its port read from its JSON log: for tests, benchmarks and
tools that need a real server in its own process."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for servers that cannot bind port 0 and report it (several
    processes sharing one port, a metrics endpoint). Another process could take it before the
    server binds it; on a test machine's loopback that race is rare enough."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` different free ports: each probe stays bound until all are chosen, since two probes one
    after the other may be given the same port (nginx then saw its cleartext and TLS listeners on one
    port and refused the configuration)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((host, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def facecast_command(*args: str) -> list[str]:
    """The installed `facecast` script beside this interpreter, or the module when run from a tree."""
    script = Path(sys.executable).parent / "facecast"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "service.cli.main", *args]


class ServerProcess:
    """Starts `facecast serve --port 0 --log-format json FLAGS` and waits until it listens.

    A thread drains the server's log continuously: a full stderr pipe would block the server."""

    def __init__(self, *flags: str, start_timeout_s: float = 60.0) -> None:
        self.process = subprocess.Popen(facecast_command("serve", "--port", "0", "--log-format", "json", *flags),
                                        stderr=subprocess.PIPE, text=True)
        self.log: list[dict] = []
        self._records: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._drain_log, name="server-log", daemon=True).start()
        try:
            started = self.wait_for("server_started", start_timeout_s)
        except BaseException:  # never started, as far as we can tell: nobody else holds it to stop it
            self.stop()
            raise
        self.port = int(started["port"])
        self.address = f"127.0.0.1:{self.port}"

    def _drain_log(self) -> None:
        for line in self.process.stderr:
            try:
                self._records.put(json.loads(line))
            except json.JSONDecodeError:  # not ours (a library writing to stderr): keep it visible
                self._records.put({"event": "unstructured", "line": line.rstrip()})
        self._records.put(None)  # the process closed its log

    def wait_for(self, event: str, timeout_s: float = 30.0) -> dict:
        """Returns the next log record named `event`, waiting at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                record = self._records.get(timeout=remaining)
            except queue.Empty:
                break
            if record is None:
                self._records.put(None)
                break
            self.log.append(record)
            if record["event"] == event:
                return record
        raise RuntimeError(f"the server never logged {event}; its last records: {self.log[-5:]}")

    def stop(self, timeout_s: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout_s)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
