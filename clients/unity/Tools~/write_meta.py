"""Writes the Unity .meta file of every asset in the package that lacks one, and removes .meta files
whose asset is gone. Unity refuses assets without .meta files in immutable packages (installed from
a git URL or a registry), so they are committed. GUIDs are derived from the package path, so the
same file always gets the same GUID. Folders ending in '~' are hidden from Unity and skipped.

    python3 clients/unity/Tools~/write_meta.py
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PACKAGE_NAME = "com.facecast.client"

_TAIL = "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
IMPORTERS = {
    ".cs": "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
           "  executionOrder: 0\n  icon: {instanceID: 0}\n" + _TAIL,
    ".asmdef": "AssemblyDefinitionImporter:\n  externalObjects: {}\n" + _TAIL,
    ".md": "TextScriptImporter:\n  externalObjects: {}\n" + _TAIL,
    ".json": "TextScriptImporter:\n  externalObjects: {}\n" + _TAIL,
}
PACKAGE_MANIFEST = "PackageManifestImporter:\n  externalObjects: {}\n" + _TAIL
DEFAULT = "DefaultImporter:\n  externalObjects: {}\n" + _TAIL


def guid_for(relative: str) -> str:
    return hashlib.md5(f"{PACKAGE_NAME}/{relative}".encode()).hexdigest()


def hidden(relative: Path) -> bool:
    """Unity ignores names ending in '~' or starting with '.', and everything inside them."""
    return any(part.endswith("~") or part.startswith(".") for part in relative.parts)


def assets(package: Path = PACKAGE) -> list[Path]:
    """Every file and folder Unity imports from the package (not the .meta files themselves)."""
    found = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if hidden(relative) or path.suffix == ".meta":
            continue
        found.append(path)
    return found


def meta_text(path: Path, package: Path = PACKAGE) -> str:
    relative = path.relative_to(package).as_posix()
    head = f"fileFormatVersion: 2\nguid: {guid_for(relative)}\n"
    if path.is_dir():
        return head + "folderAsset: yes\n" + DEFAULT
    if relative == "package.json":
        return head + PACKAGE_MANIFEST
    return head + IMPORTERS.get(path.suffix, DEFAULT)


def main() -> int:
    written = removed = 0
    for path in assets():
        meta = path.with_name(path.name + ".meta")
        if not meta.exists():
            meta.write_text(meta_text(path))
            written += 1
    for meta in sorted(PACKAGE.rglob("*.meta")):
        if not hidden(meta.relative_to(PACKAGE)) and not meta.with_name(meta.name[: -len(".meta")]).exists():
            meta.unlink()
            removed += 1
    print(f"write_meta: {written} written, {removed} removed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
