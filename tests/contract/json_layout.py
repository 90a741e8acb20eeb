"""The layout of the contract vector files: compact JSON with one top-level member per line and one
record per line in lists of records, so a diff shows which frame or case changed."""

from __future__ import annotations

import json


def dumps(document: dict) -> str:
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n  ".join(json.dumps(item, separators=(",", ":")) for item in value)
            lines.append(f"{json.dumps(key)}: [\n  {items}\n]")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
