"""Named SQL, one file per aggregate, parsed once into a frozen mapping."""

from __future__ import annotations

import re
import types
from importlib import resources
from typing import LiteralString, cast

__all__ = ["load_queries", "queries"]

_BLOCK = re.compile(
    r"^-- (?P<name>[a-z0-9_]+) --\n(?:-- (?P<doc>[^\n]*)\n)?(?P<sql>.*?)(?=^-- [a-z0-9_]+ --$|\Z)",
    re.MULTILINE | re.DOTALL,
)


def load_queries() -> types.MappingProxyType[str, LiteralString]:
    """Parse every `router/sql/*.sql` file into name → SQL; a name used twice is an error."""
    found: dict[str, LiteralString] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        for match in _BLOCK.finditer(entry.read_text(encoding="utf-8")):
            name = match["name"]
            if name in found:
                msg = f"query {name!r} defined twice (second time in {entry.name})"
                raise ValueError(msg)
            found[name] = cast("LiteralString", match["sql"].strip())
    return types.MappingProxyType(found)


queries = load_queries()
