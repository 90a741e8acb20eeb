"""The flags of the commands that are clients of a running `facecast serve` (`stream`, and
`livelink` / `vmc` with `--server`): where it is and how to reach it when it is secured (TLS, an
API key from the environment), and the one connection every such command makes from them."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc

from service.client import wait_until_connected
from service.client_security import ClientSecurity
from service.grpc_options import grpc_options
from service.host_port import HostPort
from service.settings import ServerSettings

DEFAULT_SERVER = f"{ServerSettings.host}:{ServerSettings.port}"  # where `facecast serve` listens by default
CONNECT_TIMEOUT_S = 10.0  # a server that accepts the connection but does not answer within this is not there


def add_tls_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls-ca-file", help="PEM CA of the server's certificate: connect with TLS "
                        "(the API key, if the server wants one, comes from FACECAST_API_KEY)")
    parser.add_argument("--tls-cert-file", help="PEM client certificate, for servers that require one (mutual TLS)")
    parser.add_argument("--tls-key-file", help="PEM private key of the client certificate")


def parse_server(text: str) -> str:
    """The gRPC target of `--server HOST:PORT`; InvalidConfigError naming --server for anything else."""
    return str(HostPort.parse(text, "--server"))


def client_security(args: argparse.Namespace) -> ClientSecurity:
    return ClientSecurity.from_flags(args.tls_ca_file, args.tls_cert_file, args.tls_key_file)


@asynccontextmanager
async def connected_channel(server: str, security: ClientSecurity,
                            timeout_s: float = CONNECT_TIMEOUT_S) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to `server`, once connected: an absent or unreachable server is one line at once."""
    async with security.channel(server, grpc_options(ServerSettings())) as channel:
        await wait_until_connected(channel, server, timeout_s, bool(security.tls_ca_file))
        yield channel


def rpc_error_line(server: str, error: grpc.aio.AioRpcError) -> str:
    """What a failed session says: the server, the status and the server's own words."""
    return f"{server}: {error.code().name}: {error.details()}"
