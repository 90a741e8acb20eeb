"""`facecast serve --processes N`: N processes share one port, connections spread over them, and
SIGTERM drains them all."""

from __future__ import annotations

import os
import signal

import grpc
import pytest

from runtime.errors import InvalidConfigError
from service.process import ServerProcess
from service.settings import ServerSettings
from tests.server_harness import config, end, free_port, stub_for

pytestmark = pytest.mark.slow  # server processes, started and stopped

CONNECTIONS = 16  # the kernel hashes each connection to a process: all 16 on one of 2 has odds 2^-15
OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]  # else channels in one process share a connection


def test_processes_share_the_port_and_drain_together(tmp_path):
    server = ServerProcess("--processes", "2", "--port", str(free_port()), "--avatar-dir", str(tmp_path))
    try:
        second = server.wait_for("server_started", 60)
        assert second["port"] == server.port
        for _ in range(CONNECTIONS):
            with grpc.insecure_channel(server.address, options=OWN_CONNECTION) as channel:
                responses = list(stub_for(channel).Animate(iter([config(16000, idle_s=0.2), end()]), timeout=30))
                assert responses[-1].status.frames == 5
        served_by = {server.wait_for("session_end")["pid"] for _ in range(CONNECTIONS)}
        assert len(served_by) == 2
        server.process.send_signal(signal.SIGTERM)
        assert server.wait_for("supervisor_stopped", 30)["exit_codes"] == [0, 0]
        assert server.process.wait(10) == 0
    finally:
        server.stop()


def test_several_processes_need_a_fixed_port():
    with pytest.raises(InvalidConfigError, match="fixed port"):
        ServerSettings(processes=2, port=0)


def test_when_one_process_dies_the_others_are_stopped(tmp_path):
    server = ServerProcess("--processes", "2", "--port", str(free_port()), "--avatar-dir", str(tmp_path),
                           "--grace-s", "1")
    try:
        second = server.wait_for("server_started", 60)
        os.kill(second["pid"], signal.SIGKILL)
        assert server.wait_for("server_process_exited", 10)["pids"] == [second["pid"]]
        assert server.process.wait(20) == 1  # the orchestrator sees the failure and restarts the server
    finally:
        server.stop()


def test_a_server_that_never_starts_is_stopped_by_its_constructor():
    """A server whose `server_started` never came (a garbled log line, a slow start) was left running:
    the constructor raised, so no test held it to stop it."""
    started: list[ServerProcess] = []

    class Watched(ServerProcess):
        def wait_for(self, event: str, timeout_s: float = 30.0) -> dict:
            started.append(self)
            return super().wait_for(event, timeout_s)

    with pytest.raises(RuntimeError, match="never logged server_started"):
        Watched(start_timeout_s=0.01)
    assert started[0].process.poll() is not None
