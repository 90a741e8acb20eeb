"""`facecast serve`: run the gRPC server until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import Field, fields

import structlog

from service.log import configure_logging
from service.settings import MIB, ServerSettings, resolve_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Run the Facecast gRPC server. Every flag can also be set as FACECAST_<FLAG> "
                          "(e.g. FACECAST_PORT=50052); a flag wins over the environment.")
    groups: dict[str, argparse._ActionsContainer] = {"": parser}
    for spec in fields(ServerSettings):
        if spec.metadata["flag"]:
            group = groups.get(spec.metadata["group"]) or parser.add_argument_group(spec.metadata["group"])
            groups[spec.metadata["group"]] = group
            _add_setting_flag(group, spec)
    parser.set_defaults(run=run)


def _add_setting_flag(group: argparse._ActionsContainer, spec: Field) -> None:
    """`--name-of-the-field`, typed and explained by the field; None unless given, so the
    environment and then the field's default apply (resolve_settings)."""
    shown = spec.metadata["shown"] or _shown(spec.name, spec.default)
    kind, choices = _FLAG_TYPES[spec.type], spec.metadata["choices"] or None
    group.add_argument(f"--{spec.name.replace('_', '-')}", type=kind, choices=choices,
                       metavar=None if choices else _metavar(spec.name, kind),
                       help=f"{spec.metadata['help']} (default {shown})")


_FLAG_TYPES = {"str": str, "int": int, "float": float}  # the field annotations, as strings (PEP 563)


def _metavar(name: str, kind: type) -> str:
    for suffix, metavar in (("_s", "SECONDS"), ("_bytes", "BYTES"), ("_file", "PATH"), ("_dir", "PATH")):
        if name.endswith(suffix):
            return metavar
    return "N" if kind is int else name.upper()


def _shown(name: str, default: object) -> str:
    if name.endswith("_bytes") and isinstance(default, int) and default % MIB == 0:
        return f"{default // MIB} MiB"
    if name.endswith("_s"):
        return f"{default:g} s"
    return str(default)


def run(args: argparse.Namespace) -> int:
    settings = resolve_settings(vars(args))
    configure_logging(settings.log_format, settings.log_level)
    structlog.contextvars.bind_contextvars(pid=os.getpid())  # which process, when several serve one port
    if settings.processes > 1:
        from service.supervisor import run_processes

        return run_processes(settings, _flags_again(args))
    from service.server import serve  # imported here: the server pulls in torch and MediaPipe

    asyncio.run(serve(settings))  # a port it cannot bind: InvalidConfigError, one line
    return 0


def _flags_again(args: argparse.Namespace) -> list[str]:
    """The flags given to this command, for its child processes (which also inherit the environment)."""
    flags = []
    for name in fields(ServerSettings):
        value = getattr(args, name.name, None)
        if value is not None and name.name not in ("processes", "metrics_port"):
            flags += [f"--{name.name.replace('_', '-')}", str(value)]
    return flags
