"""`--to HOST:PORT` for the UDP bridges: parsed (service.host_port) and resolved once, before any
work, so a typo or an unknown host is one line at the start rather than a failure after the model
has loaded."""

from __future__ import annotations

import socket

from runtime.errors import FacecastError, InvalidConfigError
from service.host_port import HostPort


class UdpTarget(HostPort):
    """Where datagrams go: `--to`."""

    @classmethod
    def parse(cls, text: str, flag: str = "--to") -> UdpTarget:
        return super().parse(text, flag)


def open_udp_socket(target: UdpTarget) -> tuple[socket.socket, tuple]:
    """A datagram socket for the target's address family and the resolved address to send to.
    Not connected: a receiver that starts late (Unreal opened after the bridge) is no error, as
    with Epic's own app, which keeps sending whether anyone listens or not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_DGRAM)[0]
    except socket.gaierror as error:
        raise InvalidConfigError(f"--to {target.host}:{target.port}: cannot resolve {target.host!r} "
                                 f"({error.strerror})") from None
    return socket.socket(family, kind, proto), address


class UdpSendError(FacecastError):
    """A datagram the operating system would not send (no route to the host, network down)."""


class UdpSender:
    """Datagrams to one resolved target; a refused send is one UdpSendError naming the target."""

    def __init__(self, target: UdpTarget) -> None:
        self.target = target
        self._socket, self._address = open_udp_socket(target)

    def send(self, datagram: bytes) -> None:
        try:
            self._socket.sendto(datagram, self._address)
        except OSError as error:
            raise UdpSendError(f"cannot send to {self.target.host}:{self.target.port} "
                               f"({error.strerror or error})") from None

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> UdpSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
