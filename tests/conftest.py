from __future__ import annotations

import pytest

from tests.server_harness import server, stub  # noqa: F401 - the harness's fixtures, offered to every test
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

