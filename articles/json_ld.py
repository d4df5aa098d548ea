"""JSON-LD helpers shared by the readers of a page's structured data."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 12


def identified_nodes(value: Any, depth: int = 0) -> dict[str, dict[str, Any]]:
    """Objects of a JSON-LD block that carry an @id and more, by id (the first of each id):
    what a bare reference such as {"@id": "#author"} points to."""
    found: dict[str, dict[str, Any]] = {}
    _collect(value, found, depth)
    return found


def _collect(value: Any, found: dict[str, dict[str, Any]], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _collect(item, found, depth + 1)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            found.setdefault(value["@id"], value)
        for item in value.values():
            _collect(item, found, depth + 1)
