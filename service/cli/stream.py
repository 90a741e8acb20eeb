"""`facecast stream AUDIO --server HOST:PORT`: the reference client, with a summary of what came back."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import grpc
import numpy as np

from runtime.arkit import Blendshape
from runtime.audio.files import load_audio
from runtime.errors import FacecastError
from service.api import animate_pb2
from service.cli.clip_flags import add_fps_and_seed_flags
from service.cli.server_flags import (
    CONNECT_TIMEOUT_S,
    DEFAULT_SERVER,
    add_tls_flags,
    client_security,
    connected_channel,
    parse_server,
    rpc_error_line,
)
from service.client import StartRetry, StreamRequest, StreamResult, stream_audio
from service.client_security import ClientSecurity

DEFAULT_TIMEOUT_S = 600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Stream an audio file to a Facecast server in 20 ms chunks."
    parser.add_argument("audio", type=Path, help="WAV, FLAC, OGG, MP3 (anything FFmpeg reads)")
    parser.add_argument("--listen", type=Path, metavar="OTHER",
                        help="the other party's voice, sent as listen_audio on the same clock (a conversation)")
    parser.add_argument("--server", default=DEFAULT_SERVER, help=f"HOST:PORT (default {DEFAULT_SERVER})")
    parser.add_argument("--realtime", action="store_true", help="send audio at its own pace, like a live source")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    add_fps_and_seed_flags(parser)
    parser.add_argument("--timeout-s", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"give up on a session not finished after this long (default {DEFAULT_TIMEOUT_S:g})")
    add_tls_flags(parser)
    parser.add_argument("--mouth-model", default="", help="lip-sync model by name (default: the server's)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    server = parse_server(args.server)
    audio = load_audio(args.audio)
    listen = None
    if args.listen:
        from runtime.audio.resample import resample_track  # scipy: only for a conversation

        heard = load_audio(args.listen)
        listen = resample_track(heard.samples, heard.sample_rate, audio.sample_rate)
    request = StreamRequest(audio.samples, audio.sample_rate, fps=args.fps, seed=args.seed, realtime=args.realtime,
                            mouth_model=args.mouth_model, listen=listen)  # validates --fps and --seed as bake does
    security = client_security(args)
    try:
        result = asyncio.run(_stream(server, request, args.timeout_s, security))
    except grpc.aio.AioRpcError as error:
        raise FacecastError(rpc_error_line(args.server, error)) from None
    except TimeoutError:
        raise FacecastError(f"{args.server}: the session did not finish within {args.timeout_s:g} s "
                            "(--timeout-s)") from None
    duration_s = max(audio.duration_s, 0.0 if listen is None else len(listen) / audio.sample_rate)
    summary = summarise(result, duration_s, args.realtime)
    if args.json:
        json.dump(summary, sys.stdout)
        print()
    else:
        _print_summary(summary)
    return 0


async def _stream(server: str, request: StreamRequest, timeout_s: float, security: ClientSecurity) -> StreamResult:
    async with connected_channel(server, security, min(timeout_s, CONNECT_TIMEOUT_S)) as channel:
        # A start that meets a lost, draining or full node behind a balancer is tried again (StartRetry).
        session = stream_audio(channel, request, security.metadata(), StartRetry())
        return await asyncio.wait_for(session, timeout=timeout_s)


def summarise(result: StreamResult, duration_s: float, realtime: bool) -> dict:
    """The figures of one streamed session (what `--json` prints)."""
    frames = result.frames
    jaw = np.array([frame.blendshapes[Blendshape.JAW_OPEN] for frame in frames])
    blink = np.array([frame.blendshapes[Blendshape.EYE_BLINK_LEFT] for frame in frames])
    voice = np.array([frame.voice_activity for frame in frames])
    wall_s = result.finished_s - result.first_chunk_sent_s
    latency = result.first_frame_latency_s
    return {
        "session_id": result.started.session_id,
        "frames": len(frames),
        "fps": result.started.fps,
        "duration_s": round(duration_s, 3),
        "first_frame_latency_ms": None if latency is None else round(latency * 1000, 1),
        "realtime_factor": None if realtime else round(duration_s / wall_s, 1),
        "wall_s": round(wall_s, 3),
        "lookahead_ms": round(result.started.lookahead_s * 1000, 1),
        "model_versions": {v.component: f"{v.name}@{v.version}" for v in result.started.model_versions},
        "jaw_open_mean": round(float(jaw.mean()), 3) if len(jaw) else None,
        "jaw_open_max": round(float(jaw.max()), 3) if len(jaw) else None,
        "blinks": int(np.sum((blink[1:] >= 0.5) & (blink[:-1] < 0.5))) if len(blink) > 1 else 0,
        "voiced_share": round(float((voice > 0.5).mean()), 3) if len(voice) else None,
        "events": [{"type": _event_name(event.type), "time_s": round(event.time_s, 3)} for event in result.events],
        "blendshape_names": list(result.started.blendshape_names),
    }


def _event_name(event_type: int) -> str:
    return animate_pb2.EventType.Name(event_type).removeprefix("EVENT_TYPE_").lower()


def _print_summary(summary: dict) -> None:
    latency = summary["first_frame_latency_ms"]
    rtf = summary["realtime_factor"]
    models = ", ".join(f"{component} {name}" for component, name in summary["model_versions"].items())
    print(f"session {summary['session_id']}: {summary['frames']} frames at {summary['fps']} fps "
          f"for {summary['duration_s']:.2f} s of audio ({models})")
    print(f"  first frame after {latency} ms (look-ahead {summary['lookahead_ms']} ms)"
          + ("" if rtf is None else f"; {rtf}x real time"))
    print(f"  jawOpen mean {summary['jaw_open_mean']} max {summary['jaw_open_max']}; "
          f"{summary['blinks']} blinks; voiced {summary['voiced_share']:.0%} of frames")
    speech = [e for e in summary["events"] if e["type"] in ("speech_start", "speech_end")]
    print("  events: " + ", ".join(f"{e['type']} {e['time_s']:.2f}s" for e in speech + summary["events"][-1:]))
