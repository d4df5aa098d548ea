"""Times typed on the command line: ISO dates and times, ages such as `24h`, spans such as `7d`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Longer spans mean "everything" in practice, and far longer ones overflow datetime arithmetic.
MAX_SPAN = timedelta(days=100 * 365)
TIME_FORMS = (
    "an ISO date or time (2026-11-18, 2026-11-18T12:00Z), `today`, or an age (30m, 24h, 7d)"
)


def parse_span(text: str) -> timedelta:
    """A length of time such as `90s`, `30m`, `24h`, `7d` or `2w`; ValueError otherwise."""
    match = AGE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a length of time; use a number and s, m, h, d or w")
    number, unit = match.groups()
    seconds = float(number) * UNIT_SECONDS[unit.lower()]
    if not 0 < seconds <= MAX_SPAN.total_seconds():
        raise ValueError(
            f"{text!r} is not a length of time; it must be more than zero, at most 100 years"
        )
    return timedelta(seconds=seconds)


def parse_time(text: str, now: datetime) -> datetime:
    """An aware UTC time from an ISO date or time, `today` (UTC midnight), or an age before now.

    ISO times without an offset are taken as UTC, like every time fakewatch stores.
    """
    cleaned = text.strip()
    if cleaned.lower() == "today":
        return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if AGE.fullmatch(cleaned):
        return now - parse_span(cleaned)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not a time; use {TIME_FORMS}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as machines want it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
