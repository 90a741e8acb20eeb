"""A rendered session reads on while its frames render (AnimateSession), run in process on an event
loop of the test's own: its next requests are read and analysed while the render executor is still
busy with the frames before them, its responses still go out in order and match a session that
rendered one step at a time, and a bad request fails the session only after the frames asked
before it."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from runtime.audio.pcm import AudioFormat
from runtime.errors import OutOfOrderError
from runtime.face.avatar_store import AvatarStore
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL
from runtime.pipeline import Animator, AnimatorOptions
from service.animate import FRAMES_AHEAD, AnimateSession
from service.api import animate_pb2
from service.engine_scheduler import EngineScheduler
from service.metrics import Metrics
from service.renderers import RendererCache
from service.settings import ServerSettings
from tests import portraits
from tests.server_harness import chunked, config, end

CHUNK_BYTES = 8820  # 200 ms of 22.05 kHz PCM16: every chunk completes frames (the look-ahead is under 100 ms)
WAIT_S = 20.0


class _Requests:
    """The stream's requests, handed over one at a time as the session reads them; `read` counts them."""

    def __init__(self, requests: list[animate_pb2.AnimateRequest]) -> None:
        self._requests = iter(requests)
        self.read = 0

    def __aiter__(self) -> _Requests:
        return self

    async def __anext__(self) -> animate_pb2.AnimateRequest:
        request = next(self._requests, None)
        if request is None:
            raise StopAsyncIteration
        self.read += 1
        return request


class _Service:
    """What the servicer gives a session: an avatar store, renderers whose frames render on a
    one-thread executor of their own (which the test can hold busy), an engine, metrics."""

    def __init__(self, directory: str) -> None:
        self.avatars = AvatarStore(directory)
        self.avatar_id = self.avatars.create(portraits.portrait_png("photo"))[0].avatar_id
        self.render_executor = ThreadPoolExecutor(1, thread_name_prefix="test-render")
        self.executor = ThreadPoolExecutor(2, thread_name_prefix="test-session")
        self.renderers = RendererCache(self.render_executor)

    def session(self) -> AnimateSession:
        """A session with an engine of its own (an engine lives on one event loop)."""
        return AnimateSession("test", ServerSettings(), self.executor, DEFAULT_MOUTH_MODEL, self.avatars,
                              self.renderers, Metrics(), EngineScheduler())

    def hold_renders(self) -> threading.Event:
        """Keeps the render executor's one thread busy until the returned event is set."""
        release = threading.Event()
        self.render_executor.submit(release.wait, WAIT_S)
        return release

    def close(self) -> None:
        self.render_executor.shutdown()
        self.executor.shutdown()
        self.avatars.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> _Service:
    opened = _Service(str(tmp_path_factory.mktemp("avatars")))
    yield opened
    opened.close()


def _requests(service: _Service, speech, seconds: float) -> list[animate_pb2.AnimateRequest]:
    pcm = speech.pcm16()[:round(seconds * speech.sample_rate) * 2]
    return [config(speech.sample_rate, avatar_id=service.avatar_id, output=animate_pb2.OUTPUT_LATENTS_AND_FRAMES),
            *chunked(pcm, CHUNK_BYTES)]


async def _responses(session: AnimateSession, requests: _Requests, into: list) -> None:
    async for response in session.run(requests):
        into.append(response)


def _kinds(responses: list) -> list[str]:
    return [response.WhichOneof("response") for response in responses]


def _chunks_read_ahead(chunk_bytes: int, sample_rate: int) -> int:
    """How many audio chunks of `chunk_bytes` (PCM16) a 25 fps session reads while none of its frames
    can be sent: until FRAMES_AHEAD frames wait, each frame complete once the audio it needs arrived."""
    rule = Animator(AnimatorOptions(audio_format=AudioFormat(sample_rate_hz=sample_rate)))
    chunk_s = chunk_bytes / 2 / sample_rate
    frames = chunks = 0
    while frames < FRAMES_AHEAD:
        chunks += 1
        while rule.audio_needed_s(frames) <= chunks * chunk_s + 1e-9:
            frames += 1
    return chunks


async def _wait_until(condition, what: str) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


def test_a_rendered_session_reads_on_while_its_frames_render(service, speech) -> None:
    requests = _requests(service, speech, 2.0) + [end()]

    async def run() -> tuple[list, list]:
        alone: list = []
        await _responses(service.session(), _Requests(requests), alone)  # warms the renderer too
        release = service.hold_renders()
        reader = _Requests(requests)
        ahead: list = []
        task = asyncio.create_task(_responses(service.session(), reader, ahead))
        expected = 1 + _chunks_read_ahead(CHUNK_BYTES, speech.sample_rate)
        try:
            # The config, then the chunks of FRAMES_AHEAD frames read and analysed while the first
            # one's frames wait for the render thread (one step at a time read one chunk, then waited).
            await _wait_until(lambda: reader.read >= expected, "the session stopped reading")
            await asyncio.sleep(0.2)
            assert reader.read == expected  # ...and no more: back-pressure holds
            assert "frame" not in _kinds(ahead) and "motion" not in _kinds(ahead)
        finally:
            release.set()
        await asyncio.wait_for(task, WAIT_S)
        return alone, ahead

    alone, ahead = asyncio.run(run())
    assert _kinds(ahead).count("frame") == 50
    assert ahead[1:] == alone[1:]  # the same frames, latents and pixels, in the same order (all but the session id)


def test_requests_without_frames_do_not_hold_back_the_reading(service, speech) -> None:
    # 20 ms chunks at 25 fps: every other one completes no frame, and is done as soon as analysed.
    whole = _requests(service, speech, 1.0)
    pcm = b"".join(request.audio.data for request in whole[1:])
    requests = [whole[0], *chunked(pcm, CHUNK_BYTES // 10), end()]

    # Read while the frames are held: the config and the chunks up to FRAMES_AHEAD frames, half of
    # them without a frame (counted, they stopped it after half as many).
    expected = 1 + _chunks_read_ahead(CHUNK_BYTES // 10, speech.sample_rate)

    async def run() -> None:
        release = service.hold_renders()
        reader = _Requests(requests)
        task = asyncio.create_task(_responses(service.session(), reader, []))
        try:
            await _wait_until(lambda: reader.read >= expected, "frameless requests held the reading")
        finally:
            release.set()
            await asyncio.wait_for(task, WAIT_S)

    asyncio.run(run())


def test_a_bake_sized_request_renders_before_the_next_is_read(service, speech) -> None:
    seconds = 2 * FRAMES_AHEAD / 25  # one request of twice as many frames as may render ahead
    whole = _requests(service, speech, seconds)
    pcm = b"".join(request.audio.data for request in whole[1:])
    requests = [whole[0], *chunked(pcm, len(pcm)), *chunked(pcm, CHUNK_BYTES), end()]

    async def run() -> int:
        release = service.hold_renders()
        reader = _Requests(requests)
        task = asyncio.create_task(_responses(service.session(), reader, []))
        try:
            await _wait_until(lambda: reader.read >= 2, "the session never read its audio")
            await asyncio.sleep(0.3)
            return reader.read  # its images are not held several requests deep
        finally:
            release.set()
            await asyncio.wait_for(task, WAIT_S)

    assert asyncio.run(run()) == 2


def test_a_bad_request_fails_a_rendered_session_after_the_frames_before_it(service, speech) -> None:
    rendered = _requests(service, speech, 0.4) + [config(speech.sample_rate)]
    latents = [config(speech.sample_rate), *rendered[1:]]  # the same stream, frames not asked for

    async def failed(requests: list[animate_pb2.AnimateRequest], hold: bool) -> tuple[list, BaseException | None]:
        release = service.hold_renders() if hold else None
        responses: list = []
        task = asyncio.create_task(_responses(service.session(), _Requests(requests), responses))
        if release is not None:
            await asyncio.sleep(0.3)  # the bad request is read while the frames before it wait
            release.set()
        try:
            await asyncio.wait_for(task, WAIT_S)
        except OutOfOrderError as error:
            return responses, error
        return responses, None

    responses, error = asyncio.run(failed(rendered, hold=True))
    assert error is not None and "SessionConfig" in str(error)
    expected, _ = asyncio.run(failed(latents, hold=False))  # a latents session sends before it fails
    motion = _kinds(expected).count("motion")
    assert motion >= 5 and _kinds(responses).count("motion") == motion
    assert _kinds(responses).count("frame") == motion  # every frame asked before the bad request, rendered
