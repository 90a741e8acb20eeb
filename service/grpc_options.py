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
        # (at most one ping per 5 min) would answer those with GOAWAY (too_many_pings).
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", _ms(settings.keepalive_min_ping_interval_s)),
        ("grpc.http2.max_ping_strikes", 2),
        # Our own pings find peers that vanished without closing (a crashed console, a dropped
        # NAT mapping): their streams end and their sessions are freed instead of held forever.
        ("grpc.keepalive_time_ms", _ms(settings.keepalive_time_s)),
        ("grpc.keepalive_timeout_ms", _ms(settings.keepalive_timeout_s)),
    ]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def server_options(settings: ServerSettings) -> list[tuple[str, int]]:
    """The server's channel arguments: the shared ones, plus a fixed receive window."""
    shared = [option for option in grpc_options(settings) if option[0] != "grpc.so_reuseport"]
    return [
        *shared,
        # Only the processes of one `serve --processes N` share a port, on purpose.
        ("grpc.so_reuseport", settings.reuse_port),
        # Without BDP probing the window each stream may fill before the server reads stays at
        # 64 KiB: a client that pushes audio while ignoring its frames makes the server buffer at
        # most that (measured: ~4.5 MB per such stream with probing on). Live audio needs ~32 KB/s.
        ("grpc.http2.bdp_probe", 0),
    ]
