"""Channel arguments shared by the server and the clients (kept light: the CLI client imports it)."""

from __future__ import annotations

from service.settings import ServerSettings


def grpc_options(settings: ServerSettings) -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # gRPC binds with SO_REUSEPORT by default: a second server on a taken port would start
        # and silently split the traffic. Fail loudly instead.
        ("grpc.so_reuseport", 0),
        # Game clients keep idle connections alive with pings every ~30 s; the default policy
        # would answer those with GOAWAY (too_many_pings).
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 20_000),
    ]
