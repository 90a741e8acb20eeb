from __future__ import annotations

import grpc
import pytest

from tests.server_harness import ServerThread, stub_for
from tests.speech import Clip, speech_clip

# Lines tests want in the run's closing summary (e.g. the C# NUnit pass count), printed even without -s.
SUMMARY_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    for line in SUMMARY_LINES:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def speech() -> Clip:
    """About 8 s of English speech (eSpeak NG, 22.05 kHz) with a pause between its sentences."""
    return speech_clip()


@pytest.fixture(scope="module")
def server() -> ServerThread:
    running = ServerThread()
    yield running
    running.stop()


@pytest.fixture()
def stub(server: ServerThread):
    with grpc.insecure_channel(server.address) as channel:
        yield stub_for(channel)
