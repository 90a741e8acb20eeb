"""What `facecast livelink` and `facecast vmc` share: AUDIO, --to, --realtime, --server (with the
TLS flags of `facecast stream`) and the clip flags, and the loop that turns each motion frame into
one datagram, paced on the audio clock when asked (the default for stdin, a live source).

The frames come from the runtime in-process, or with `--server` from a running `facecast serve`
through the reference client (service.client): the same runtime there, so for the same audio, seed
and flags the same frames and the same datagrams. The audio goes to the server unrounded (float32
for a file, stdin's own PCM16 as it arrives) and as fast as it comes; the pacing is the bridge's."""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections.abc import Callable

import grpc

from runtime.audio.pcm import PCM_STREAM_SAMPLE_RATE
from runtime.clip_options import ClipOptions
from runtime.errors import FacecastError, InvalidConfigError
from runtime.types import MotionFrame
from service.api import animate_pb2, motion_pb2
from service.audio_clock import AudioClockPacer
from service.cli.audio_source import AUDIO_HELP, CHUNK_BYTES, is_stdin, motion_frames, stdin_chunks
from service.cli.clip_flags import add_clip_flags
from service.cli.server_flags import add_tls_flags, client_security, connected_channel, parse_server, rpc_error_line
from service.client import StartRetry, StreamRequest, stream_audio
from service.client_security import ClientSecurity
from service.udp_target import UdpSender, UdpTarget

Encoder = Callable[[MotionFrame], bytes]


def add_bridge_arguments(parser: argparse.ArgumentParser, receiver: str, default_port: int, unit: str) -> None:
    """AUDIO, --to, --realtime, --server and its TLS flags, and the clip flags; `unit` names what
    one datagram carries."""
    parser.add_argument("audio", metavar="AUDIO", help=AUDIO_HELP)
    parser.add_argument("--to", required=True, metavar="HOST:PORT",
                        help=f"{receiver}, e.g. 127.0.0.1:{default_port}")
    parser.add_argument("--realtime", action=argparse.BooleanOptionalAction, default=None,
                        help=f"pace {unit} on the audio clock (default: on for stdin, off for a file)")
    parser.add_argument("--server", metavar="HOST:PORT",
                        help="animate on a running `facecast serve` there, as its gRPC client (default: in-process)")
    add_tls_flags(parser)
    add_clip_flags(parser)


class PacedSender:
    """Frames → datagrams to one target, each sent when its audio time is due (with a pacer: the
    first frame sets the clock) or at once (without)."""

    def __init__(self, sender: UdpSender, encode: Encoder, pacer: AudioClockPacer | None) -> None:
        self._sender = sender
        self._encode = encode
        self._pacer = pacer
        self.sent = 0

    def send(self, frame: MotionFrame) -> None:
        if self._pacer is not None:
            self._pacer.wait_until(frame.time_s)
        self._send_now(frame)

    async def send_when_due(self, frame: MotionFrame) -> None:
        if self._pacer is not None:
            delay = self._pacer.delay_s(frame.time_s)
            if delay > 0:
                await asyncio.sleep(delay)
        self._send_now(frame)

    def _send_now(self, frame: MotionFrame) -> None:
        self._sender.send(self._encode(frame))
        self.sent += 1


def send_frames(args: argparse.Namespace, target: UdpTarget, options: ClipOptions, encode: Encoder) -> int:
    """Sends one datagram per frame of AUDIO, made here or on --server; returns how many were sent."""
    server = None if args.server is None else parse_server(args.server)  # every flag before any work
    security = client_security(args)
    if server is None and (args.tls_ca_file or args.tls_cert_file or args.tls_key_file):
        raise InvalidConfigError("the --tls-* flags are for --server; in-process there is no connection to secure")
    realtime = is_stdin(args.audio) if args.realtime is None else args.realtime
    with UdpSender(target) as sender:
        paced = PacedSender(sender, encode, AudioClockPacer() if realtime else None)
        if server is None:
            for frame in motion_frames(args.audio, options):
                paced.send(frame)
        else:
            request = _stream_request(args.audio, options)  # a missing file, a closed stdin: before connecting
            try:
                asyncio.run(_session(server, security, request, paced))
            except grpc.aio.AioRpcError as error:
                raise FacecastError(rpc_error_line(server, error)) from None
    return paced.sent


async def _session(server: str, security: ClientSecurity, request: StreamRequest, paced: PacedSender) -> None:
    """One session on `server`, each frame sent as it arrives (when due)."""
    from service.convert import motion_frame_from_message  # the runtime's types: loaded once the flags are good

    async def on_motion(message: motion_pb2.MotionFrame) -> None:
        await paced.send_when_due(motion_frame_from_message(message))

    async with connected_channel(server, security) as channel:
        # A start that meets a lost, draining or full node behind a balancer is tried again, as `stream`'s.
        await stream_audio(channel, request, security.metadata(), StartRetry(), on_motion=on_motion)


def _stream_request(audio: str, options: ClipOptions) -> StreamRequest:
    """The session asking the server for what `motion_frames(audio, options)` makes here: the same
    samples (idle life as leading silence, as the runtime does it), seed, fps, mouth model, controls."""
    if not is_stdin(audio):
        from runtime.audio.files import load_audio  # PyAV: not for stdin

        track = load_audio(audio)  # a missing file: one line now, before the pipeline loads
        from runtime.offline import clip_audio  # the pipeline: loaded once the audio is good

        track = clip_audio(track, options.idle_s)
        return StreamRequest(track.samples, track.sample_rate, encoding=animate_pb2.AUDIO_ENCODING_FLOAT32LE,
                             **_session_fields(options))
    chunks = stdin_chunks()  # stdin closed before any audio: one line now, not a session of nothing
    silence = bytes(2 * round(options.idle_s * PCM_STREAM_SAMPLE_RATE))  # what push_silence adds in-process
    quiet = (silence[offset:offset + CHUNK_BYTES] for offset in range(0, len(silence), CHUNK_BYTES))
    return StreamRequest(None, PCM_STREAM_SAMPLE_RATE, live_pcm16=itertools.chain(quiet, chunks),
                         **_session_fields(options))


def _session_fields(options: ClipOptions) -> dict:
    """The session's fps, seed, mouth model and controls, as StreamRequest takes them."""
    from service.convert import controls_message  # the runtime's types: loaded once the audio is good

    return {"fps": options.fps, "seed": options.seed, "mouth_model": options.mouth_model,
            "controls": controls_message(options.controls)}
