"""Versions that identify what produced a stream: the package and each model."""

from __future__ import annotations

from importlib import metadata


def package_version() -> str:
    """The installed `facecast` distribution's version ("0+unknown" when run from a bare tree)."""
    try:
        return metadata.version("facecast")
    except metadata.PackageNotFoundError:
        return "0+unknown"
