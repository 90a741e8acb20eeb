"""The grpc.aio server: FaceAnimation, standard health and reflection, limits, auth, metrics,
graceful shutdown."""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
import torch
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from runtime.errors import InvalidConfigError
from runtime.face.analysis import AnalysisOptions
from runtime.face.avatar_store import AvatarStore
from service.api import face_animation_pb2, face_animation_pb2_grpc
from service.api_keys import ApiKeys
from service.auth import ApiKeyInterceptor
from service.engine_process import EngineProcess
from service.engine_scheduler import EngineScheduler
from service.grpc_options import server_options
from service.log import get_logger
from service.malformed import MalformedRequestInterceptor
from service.metrics import Metrics, MetricsEndpoint
from service.quiet import native_stderr_silenced
from service.renderers import RendererCache
from service.servicer import FaceAnimationServicer
from service.sessions import SessionRegistry
from service.settings import ServerSettings
from service.tls import server_credentials

log = get_logger("facecast.server")
SERVICE_NAME = face_animation_pb2.DESCRIPTOR.services_by_name["FaceAnimation"].full_name
DRAIN_POLL_S = 0.05


@dataclass
class RunningServer:
    """A started server and the parts tests and the shutdown path need to see."""

    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    sessions: SessionRegistry
    executor: ThreadPoolExecutor
    settings: ServerSettings
    avatars: AvatarStore
    metrics: Metrics
    metrics_endpoint: MetricsEndpoint | None
    engine: EngineScheduler | EngineProcess
    renderers: RendererCache

    async def stop(self, grace_s: float | None = None) -> None:
        """Health turns NOT_SERVING and new sessions are refused (UNAVAILABLE) while running streams
        get `grace_s` to finish; the port stays open meanwhile, so load balancers and orchestrators
        see NOT_SERVING rather than a refused connection. Then the rest is cancelled."""
        deadline = time.monotonic() + (self.settings.grace_s if grace_s is None else grace_s)
        await self.health.enter_graceful_shutdown()
        self.sessions.draining = True
        while self.sessions.active_count and time.monotonic() < deadline:
            await asyncio.sleep(DRAIN_POLL_S)
        await self.server.stop(max(0.0, deadline - time.monotonic()))  # in-flight unary calls finish
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.renderers.close()
        self.engine.close()
        self.avatars.close()
        if self.metrics_endpoint is not None:
            self.metrics_endpoint.close()


async def create_server(settings: ServerSettings) -> RunningServer:
    """Builds, binds and starts the server; `settings.port = 0` binds a free port (see `.port`)."""
    metrics = Metrics()
    keys = ApiKeys(settings.api_keys_file, settings.api_keys)
    # Authentication first: nothing of a request is looked at before its key is.
    interceptors = [ApiKeyInterceptor(keys, metrics)] if keys.enabled else []
    interceptors.append(MalformedRequestInterceptor(metrics))
    server = grpc.aio.server(options=server_options(settings), interceptors=interceptors)
    executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="facecast-session")
    torch.set_num_threads(settings.render_threads)  # process-wide: the renderer is this process's only torch user
    sessions = SessionRegistry(settings.max_sessions)
    metrics.sessions_active.set_function(lambda: sessions.active_count)
    avatars = AvatarStore(settings.avatar_dir or None, AnalysisOptions(max_pixels=settings.max_image_pixels),
                          max_avatars=settings.max_avatars)
    servicer = FaceAnimationServicer(settings, executor, sessions, avatars, metrics)
    face_animation_pb2_grpc.add_FaceAnimationServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    port = _bind(server, settings)
    endpoint = MetricsEndpoint(metrics, settings.host, settings.metrics_port) if settings.metrics_port else None
    await server.start()
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, port, health_servicer, sessions, executor, settings, avatars, metrics, endpoint,
                         servicer.engine, servicer.renderers)


def _bind(server: grpc.aio.Server, settings: ServerSettings) -> int:
    """The port bound; InvalidConfigError (one line) when it cannot be."""
    address = f"{settings.host}:{settings.port}"
    try:
        with native_stderr_silenced():  # gRPC's own E-line for a taken port: the error below says it once
            return (server.add_secure_port(address, server_credentials(settings)) if settings.tls
                    else server.add_insecure_port(address))
    except RuntimeError:  # what grpc raises for an address it cannot bind
        raise InvalidConfigError(f"cannot serve on {address}: the port is in use, "
                                 "or the host is not an address of this machine") from None


async def serve(settings: ServerSettings) -> None:
    """Runs until SIGTERM or SIGINT, then drains: health NOT_SERVING, streams finish within grace."""
    running = await create_server(settings)
    # torch, MediaPipe and gRPC leave ~10^6 long-lived objects behind at import; without freezing
    # them, every full garbage collection walks them all again (measured: a fifth of the latents
    # pipeline's time went to such collections).
    gc.collect()
    gc.freeze()
    log.info("server_started", host=settings.host, port=running.port, workers=settings.workers,
             max_message_bytes=settings.max_message_bytes, max_sessions=settings.max_sessions,
             tls=settings.tls, mutual_tls=bool(settings.tls_client_ca_file),
             api_keys=bool(settings.api_keys_file or settings.api_keys),
             metrics_port=running.metrics_endpoint.port if running.metrics_endpoint else None,
             avatar_dir=str(running.avatars.directory))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("server_draining", active_sessions=running.sessions.active_count, grace_s=settings.grace_s)
    await running.stop()
    log.info("server_stopped", sessions_served=running.sessions.total_started)
