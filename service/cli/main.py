"""`facecast` entry point: one subcommand per module, each failing with one clear line."""

from __future__ import annotations

import argparse
import os
import sys

from runtime.errors import FacecastError
from runtime.version import package_version
from service.cli import avatar, bake, demo, render, serve, stream

COMMANDS = (serve, bake, render, demo, stream, avatar)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facecast", description="One portrait + speech audio → a talking face, streamed over gRPC.")
    parser.add_argument("--version", action="version", version=f"facecast {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
