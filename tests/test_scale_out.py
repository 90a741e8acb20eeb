"""Scale-out, run for real (DESIGN.md, "Scale-out"): Debian's nginx, configured with deploy/nginx, in
front of three `facecast serve` processes sharing one avatar store, all on loopback.

An avatar created through the balancer is served by every server; sessions spread over all three
(as each server's own metrics count them); a SIGKILLed server ends only its own sessions (INTERNAL
through nginx: it resets the streams) while new sessions succeed on the others; a SIGTERMed server
finishes its running sessions while new ones go elsewhere; with no server left, the balancer answers
UNAVAILABLE. Bounded: about a minute, most of it starting three servers.

Needs nginx (`apt-get install nginx`): these tests fail, not skip, without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.api import avatar_pb2, face_animation_pb2
from service.client import StartRetry, StreamRequest, stream_audio
from service.process import ServerProcess
from tests.certificates import Certificates, make_certificates
from tests.nginx_balancer import NginxBalancer
from tests.portraits import portrait_png
from tests.server_harness import audio, config, end, free_port, stub_for, wait_until
from tests.speech import Clip

SERVERS = 3
SESSIONS = 30
GRACE_S = 60.0  # longer than any held session here: a SIGTERMed server must let them finish
PHASE_TIMEOUT_S = 60.0  # generous for a loaded 2-core CI box; each phase takes seconds
RETRY = StartRetry(attempts=8, initial_delay_s=0.1, max_delay_s=1.0)
LIVE_CHUNK_EVERY_S = 0.1  # held sessions send a little audio this often, as a live microphone does


@dataclass
class Node:
    server: ServerProcess
    metrics_port: int

    @property
    def alive(self) -> bool:
        return self.server.process.poll() is None

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float:
        """A sample from this server's own /metrics."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as response:
            text = response.read().decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in (labels or {}).items()):
                    return sample.value
        return 0.0

    def active(self) -> int:
        return int(self.metric("facecast_sessions_active"))

    def completed(self) -> int:
        return int(self.metric("facecast_sessions_total", {"status": "OK"}))


@dataclass
class Cluster:
    nodes: list[Node]
    balancer: NginxBalancer
    certificates: Certificates

    def live(self) -> list[Node]:
        return [node for node in self.nodes if node.alive]


def _start_node(avatar_dir: str) -> Node:
    metrics_port = free_port()
    server = ServerProcess("--avatar-dir", avatar_dir, "--grace-s", str(GRACE_S), "--metrics-port", str(metrics_port),
                           "--workers", "1", start_timeout_s=120)
    return Node(server, metrics_port)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale-out")
    avatar_dir = str(folder / "shared-avatars")
    with ThreadPoolExecutor(SERVERS) as starting:  # in parallel: each start loads torch and MediaPipe
        futures = [starting.submit(_start_node, avatar_dir) for _ in range(SERVERS)]
    nodes = [future.result() for future in futures if future.exception() is None]
    balancer = None
    try:
        assert len(nodes) == SERVERS, [str(future.exception()) for future in futures if future.exception()]
        certificates = make_certificates(folder)
        balancer = NginxBalancer(folder / "nginx", [node.server.address for node in nodes], certificates)
        yield Cluster(nodes, balancer, certificates)
    finally:
        for node in nodes:
            if node.alive:
                node.server.process.kill()
                node.server.process.wait(30)
        if balancer is not None:
            balancer.stop()


@pytest.fixture(scope="module")
def second_of_speech(speech: Clip) -> Clip:
    return Clip(speech.samples[:speech.sample_rate], speech.sample_rate)


async def _held_session(stub, clip: Clip, release: asyncio.Event, started: list[int]) -> grpc.StatusCode:
    """A live session: 20 ms of silence every LIVE_CHUNK_EVERY_S until `release`, then a second of
    speech and its end; its final status. Counts itself in `started` when SessionStarted arrives.
    It must keep sending: nginx 1.22 queues the reset of a stream whose server died and sends it
    with its next write on the client's connection, so an idle stream would learn of the loss only
    at its next message or ping (README, "At scale")."""
    silence = bytes(2 * round(0.02 * clip.sample_rate))

    async def requests():
        yield config(clip.sample_rate)
        while not release.is_set():
            yield audio(silence)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), LIVE_CHUNK_EVERY_S)
        yield audio(clip.pcm16())
        yield end()
    try:
        async for response in stub.Animate(requests()):
            started[0] += response.WhichOneof("response") == "started"
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def _wait_until(condition, what: str) -> None:
    """Polls without blocking the event loop the sessions run on."""
    await asyncio.wait_for(asyncio.to_thread(wait_until, condition, PHASE_TIMEOUT_S, what), PHASE_TIMEOUT_S + 5)


async def _hold_sessions(channel, clip: Clip, release: asyncio.Event, count: int, nodes) -> list[asyncio.Task]:
    """`count` sessions held open until `release`, returned once every one has started on both ends:
    a session killed before its SessionStarted reached the client would end UNAVAILABLE through
    nginx (a start that failed, retried by the clients), not as a lost running session."""
    stub, started = stub_for(channel), [0]
    held = [asyncio.create_task(_held_session(stub, clip, release, started)) for _ in range(count)]
    await _wait_until(lambda: started[0] == count, "every client saw its session start")
    await _wait_until(lambda: sum(node.active() for node in nodes) == count, "all sessions running")
    return held


async def _new_sessions(channel, clip: Clip, count: int) -> list:
    """`count` sessions through the reference client, which retries a start that met a lost node."""
    request = StreamRequest(clip.samples, clip.sample_rate)
    return await asyncio.gather(*(stream_audio(channel, request, retry=RETRY) for _ in range(count)))


def test_an_avatar_created_through_the_balancer_is_served_by_every_server(cluster, second_of_speech):
    with grpc.insecure_channel(cluster.balancer.address) as channel:
        created = stub_for(channel).CreateAvatar(
            avatar_pb2.CreateAvatarRequest(image=portrait_png("photo"), display_name="astronaut"), timeout=120).avatar
    for node in cluster.nodes:
        with grpc.insecure_channel(node.server.address) as channel:
            stub = stub_for(channel)
            found = stub.GetAvatar(avatar_pb2.GetAvatarRequest(avatar_id=created.avatar_id), timeout=30).avatar
            assert found == created
            requests = [config(second_of_speech.sample_rate, avatar_id=created.avatar_id),
                        audio(second_of_speech.pcm16()), end()]
            responses = list(stub.Animate(iter(requests), timeout=60))
            assert responses[0].started.session_id and responses[-1].status.code == 0


def test_tls_terminates_at_the_balancer(cluster):
    credentials = grpc.ssl_channel_credentials(root_certificates=cluster.certificates.ca_cert.read_bytes())
    with grpc.secure_channel(f"127.0.0.1:{cluster.balancer.tls_port}", credentials) as channel:
        answer = stub_for(channel).GetCapabilities(face_animation_pb2.GetCapabilitiesRequest(), timeout=30)
    assert answer.blendshape_names


def test_sessions_spread_over_every_server_and_a_killed_server_ends_only_its_own(cluster, second_of_speech):
    async def scenario():
        async with grpc.aio.insecure_channel(cluster.balancer.address) as channel:
            release = asyncio.Event()
            held = await _hold_sessions(channel, second_of_speech, release, SESSIONS, cluster.nodes)
            spread = [node.active() for node in cluster.nodes]
            assert all(count > 0 for count in spread), spread  # per RPC: one connection, every server
            victim, survivors = cluster.nodes[0], cluster.nodes[1:]
            completed_before = sum(node.completed() for node in survivors)
            victim.server.process.send_signal(signal.SIGKILL)
            victim.server.process.wait(30)
            await _wait_until(lambda: sum(task.done() for task in held) == spread[0], "the victim's sessions ended")
            ended = [task.result() for task in held if task.done()]
            assert ended == [grpc.StatusCode.INTERNAL] * spread[0]  # nginx reset their streams
            assert all(node.active() == count for node, count in zip(survivors, spread[1:], strict=True))
            started = await _new_sessions(channel, second_of_speech, 6)  # the dead server is skipped or retried
            assert all(result.status.code == 0 and result.frames for result in started)
            assert sum(node.completed() for node in survivors) == completed_before + 6
            release.set()
            finished = await asyncio.wait_for(asyncio.gather(*held), PHASE_TIMEOUT_S)
            assert finished.count(grpc.StatusCode.OK) == SESSIONS - spread[0]
    asyncio.run(scenario())


def test_a_terminated_server_finishes_its_sessions_while_new_ones_go_elsewhere(cluster, second_of_speech):
    live = cluster.live()
    assert len(live) >= 2, "needs two servers alive"
    sessions = 4 * len(live)

    async def scenario():
        async with grpc.aio.insecure_channel(cluster.balancer.address) as channel:
            release = asyncio.Event()
            held = await _hold_sessions(channel, second_of_speech, release, sessions, live)
            leaving = max(live, key=Node.active)
            running_there, completed_there = leaving.active(), leaving.completed()
            others_completed = sum(node.completed() for node in live if node is not leaving)
            leaving.server.process.send_signal(signal.SIGTERM)
            assert leaving.server.wait_for("server_draining", PHASE_TIMEOUT_S)["active_sessions"] == running_there
            started = await _new_sessions(channel, second_of_speech, 4)  # refused there (UNAVAILABLE), then elsewhere
            assert all(result.status.code == 0 and result.frames for result in started)
            assert sum(node.completed() for node in live if node is not leaving) == others_completed + 4
            assert leaving.completed() == completed_there  # nothing new ran on the leaving server
            release.set()
            finished = await asyncio.wait_for(asyncio.gather(*held), PHASE_TIMEOUT_S)
            assert finished == [grpc.StatusCode.OK] * sessions  # the leaving server's too
            return leaving
    leaving = asyncio.run(scenario())
    assert leaving.server.process.wait(PHASE_TIMEOUT_S) == 0  # drained, then exited cleanly


def test_with_no_server_left_the_balancer_answers_unavailable(cluster):
    for node in cluster.live():
        node.server.process.send_signal(signal.SIGKILL)
        node.server.process.wait(30)
    with grpc.insecure_channel(cluster.balancer.address) as channel, pytest.raises(grpc.RpcError) as refused:
        stub_for(channel).GetCapabilities(face_animation_pb2.GetCapabilitiesRequest(), timeout=30)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "no Facecast server reachable" in refused.value.details()
