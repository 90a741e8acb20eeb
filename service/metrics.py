"""Prometheus metrics of one server (its own registry: several servers in one process, as in the
tests, never share counters), served on --metrics-port."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIServer

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from runtime.errors import InvalidConfigError

# Per-request compute: 0.1–0.3 ms for a live latents chunk, ~10 ms a rendered frame, seconds for
# a bake-sized upload.
COMPUTE_BUCKETS_S = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
SESSION_BUCKETS_S = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
RENDER_BATCH_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16)  # frames; a call takes at most MAX_BATCH_FRAMES (16)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        registry = self.registry
        self.sessions_active = Gauge("facecast_sessions_active", "Animate streams running now", registry=registry)
        self.sessions = Counter("facecast_sessions", "Animate streams ended, by final status", ["status"],
                                registry=registry)
        self.frames = Counter("facecast_frames", "Motion frames generated", registry=registry)
        self.rendered_frames = Counter("facecast_rendered_frames", "Frames rendered and encoded", registry=registry)
        # A render call costs about a frame again whatever its size: how well calls are shared shows here.
        self.render_batch_frames = Histogram("facecast_render_batch_frames",
                                             "Frames per render call, across the sessions of one avatar",
                                             buckets=RENDER_BATCH_BUCKETS, registry=registry)
        self.audio_seconds = Counter("facecast_audio_seconds", "Seconds of audio animated", registry=registry)
        self.compute_seconds = Histogram(
            "facecast_request_compute_seconds", "Computation per audio chunk (motion, rendering, encoding)",
            buckets=COMPUTE_BUCKETS_S, registry=registry)
        self.session_seconds = Histogram("facecast_session_duration_seconds", "Wall-clock length of Animate streams",
                                         buckets=SESSION_BUCKETS_S, registry=registry)
        self.errors = Counter("facecast_errors", "Calls that ended with an error status", ["method", "code"],
                              registry=registry)

    def count_error(self, method: str, code: grpc.StatusCode) -> None:
        self.errors.labels(method=method.rsplit("/", 1)[-1], code=code.name).inc()


class MetricsEndpoint:
    """The /metrics HTTP endpoint on its own daemon thread (prometheus-client's server)."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self._server: WSGIServer
        self._thread: threading.Thread
        try:  # gRPC's "[::]" is plain "::" to the HTTP server
            self._server, self._thread = start_http_server(port, addr=host.strip("[]"), registry=metrics.registry)
        except OSError as error:
            raise InvalidConfigError(f"cannot serve metrics on {host}:{port}: {error.strerror}") from None
        self.port = self._server.server_port

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
