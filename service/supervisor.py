"""`facecast serve --processes N`: N server processes on one port (SO_REUSEPORT), started, watched
and drained together. One Python process saturates at about one core's worth of sessions (the
event loop and the GIL); more processes use more cores. The kernel spreads *connections* over the
processes, so each client connection (and all its streams) stays with one process."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from service.log import get_logger
from service.process import facecast_command
from service.settings import ServerSettings

log = get_logger("facecast.supervisor")
POLL_S = 0.2


def run_processes(settings: ServerSettings, serve_args: list[str]) -> int:
    """Runs `facecast serve` N times with `serve_args`; returns when all have exited. SIGTERM and
    SIGINT are passed on (each process drains within --grace-s); if one process dies, the others
    are stopped too, so the orchestrator restarts the whole server."""
    children = [_start(serve_args, settings, index) for index in range(settings.processes)]
    log.info("supervisor_started", processes=settings.processes, pids=[child.pid for child in children],
             port=settings.port)
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: stopping.append(number))
    signalled: set[int] = set()
    while any(child.poll() is None for child in children):
        exited = [child.pid for child in children if child.poll() is not None]
        if exited and not stopping:
            log.error("server_process_exited", pids=exited)
            stopping.append(signal.SIGTERM)
        if stopping:
            for child in children:
                if child.poll() is None and child.pid not in signalled:  # once: again would not drain faster
                    child.send_signal(signal.SIGTERM)
                    signalled.add(child.pid)
        time.sleep(POLL_S)
    codes = [child.returncode for child in children]
    log.info("supervisor_stopped", exit_codes=codes)
    return 0 if all(code == 0 for code in codes) else 1


def _start(serve_args: list[str], settings: ServerSettings, index: int) -> subprocess.Popen:
    metrics_port = settings.metrics_port + index if settings.metrics_port else 0
    command = facecast_command("serve", *serve_args, "--processes", "1", "--metrics-port", str(metrics_port))
    environment = {**os.environ, "FACECAST_REUSE_PORT": "1"}
    return subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL)
