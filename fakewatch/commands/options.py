"""Options and output shared by the commands that read the store: repeatable lists, choices,
row limits, the terminal's width."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from typing import Any

from fakewatch.settings import SettingsError

TABLE_LIMIT = 50


def add_repeatable(parser: Any, flag: str, metavar: str, help: str) -> None:
    """An option that may be given several times (its values are collected in a list)."""
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def split_values(values: Iterable[str]) -> list[str]:
    """Repeated and comma-separated option values, in order, without blanks or repeats."""
    parts = (part.strip() for value in values for part in value.split(","))
    return list(dict.fromkeys(part for part in parts if part))


def choice(option: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise SettingsError(f"{option} {value!r} is not one of: {', '.join(allowed)}")
    return value


def row_limit(text: str | None, fmt: str) -> int | None:
    if text is None:
        return TABLE_LIMIT if fmt == "table" else None
    if not text.isdigit() or len(text) > 9:
        raise SettingsError(
            f"--limit {text!r} is not a number of rows below a billion; use 0 for all"
        )
    return int(text) or None


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns
