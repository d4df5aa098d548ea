"""One-line error messages for logs, run records and the CLI."""

from __future__ import annotations


def first_line(error: BaseException | str, max_chars: int | None = None) -> str:
    """The first non-blank line of an error's message, or its class name when it has none.

    Driver errors span lines (SQL, parameters, hints); a log line or a stored run error
    needs only the first. `max_chars` cuts what a hostile server could make long.
    """
    text = str(error)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not line and isinstance(error, BaseException):
        line = type(error).__name__
    return line[:max_chars] if max_chars is not None else line
