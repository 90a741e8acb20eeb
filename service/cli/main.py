"""`facecast` entry point: one subcommand per module, each failing with one clear line.

Only the named command's module is imported: each pulls in what it computes with (the pipeline,
torch, MediaPipe, gRPC), so `facecast --help` and a light command start at once."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from runtime.errors import FacecastError
from runtime.version import package_version

# Command → (its module, which defines add_arguments(parser) and run(args); what `--help` says of it).
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("service.cli.serve", "run the gRPC server"),
    "bake": ("service.cli.bake", "write a motion clip (latents) for an audio file"),
    "render": ("service.cli.render", "render a portrait speaking an audio file to MP4"),
    "demo": ("service.cli.demo", "render the bundled demo (needs the demo extra)"),
    "preview": ("service.cli.preview", "render a portrait in eight telling poses on one PNG sheet"),
    "stream": ("service.cli.stream", "stream an audio file to a server and summarise the frames"),
    "avatar": ("service.cli.avatar", "add, list or remove stored avatars"),
    "livelink": ("service.cli.livelink", "send Live Link Face packets (Unreal, MetaHumans) over UDP"),
    "vmc": ("service.cli.vmc", "send VRM 1.0 expressions over the VMC protocol (OSC over UDP)"),
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """The parser, with the arguments of the command `argv` names (the first word that is not a flag)."""
    named = next((word for word in argv if not word.startswith("-")), None)
    parser = argparse.ArgumentParser(
        prog="facecast", description="One portrait + speech audio → a talking face, streamed over gRPC.")
    parser.add_argument("--version", action="version", version=f"facecast {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=summary)
        if name == named:
            importlib.import_module(module).add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return args.run(args) or 0
    except FacecastError as error:
        print(f"facecast {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"facecast {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`facecast stream … | head`): nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush stays quiet
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
