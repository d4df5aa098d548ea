"""Sources are data: the sources file (TOML) declares them, and loading rejects bad ones at once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.addresses import allowed_networks
from crawler.errors import SourcesFileError, UnsafeUrlError
from crawler.urls import host_of, require_http_url
from db.source_config import CATEGORIES, SourceConfig

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
INTERVAL_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
# A source crawled less than once a year is not being watched (and the schedule's arithmetic
# and the database's integer columns stay far from overflowing).
MAX_INTERVAL_SECONDS = 365 * 86400
SOURCE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*source[ \t]*\]\]", re.MULTILINE)
TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")
KNOWN_KEYS = {
    "name", "feeds", "sitemaps", "homepage", "interval", "min_interval", "max_interval",
    "allowed_domains", "languages", "language", "allow_private", "category", "max_articles",
    "enabled", "timezone",
}  # fmt: skip


@dataclass(frozen=True)
class Source(SourceConfig):
    """One news source: its stored configuration plus what only the crawler needs."""

    allow_private: tuple[str, ...] = ()
    max_articles: int | None = None
    # The IANA zone of times the source's pages give without an offset ("Europe/Berlin").
    timezone: str | None = None

    @classmethod
    def adhoc(
        cls, url: str, *, allow_private: tuple[str, ...] = (), languages: tuple[str, ...] = ("en",)
    ) -> Source:
        """A one-off source for `fakewatch crawl URL`: the crawler sniffs feed, sitemap or page."""
        require_http_url(url)
        return cls(
            name=host_of(url),
            allowed_domains=(host_of(url),),
            languages=languages,
            allow_private=allow_private,
            start_urls=(url,),
        )


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; errors name the file, the line and the problem."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesFileError(
            f"sources file {path} not found; set sources_file in settings or $FAKEWATCH_SOURCES"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesFileError(f"sources file {path} cannot be read ({exc})") from None
    return parse_sources(content, path)


def parse_sources(content: str, path: Path) -> list[Source]:
    """Parse the text of a sources file (see `load_sources`)."""
    try:
        raw = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = TOML_POSITION.search(message)
        if position is None:
            line = getattr(exc, "lineno", 0)
        else:
            line = int(position.group(1)) if position.group(1) else content.rstrip().count("\n") + 1
        reason = TOML_POSITION.sub("", message).strip()
        raise SourcesFileError(f"{path}:{line}: {reason}; fix the TOML syntax") from None
    unknown_tables = set(raw) - {"source"}
    if unknown_tables:
        raise SourcesFileError(
            f"{path}: unknown table {sorted(unknown_tables)[0]!r}; declare sources as [[source]]"
        )
    tables = raw.get("source", [])
    if not isinstance(tables, list):
        raise SourcesFileError(f"{path}: 'source' must be an array of tables written [[source]]")
    lines = [content.count("\n", 0, m.start()) + 1 for m in SOURCE_HEADER.finditer(content)]
    sources: list[Source] = []
    seen: dict[str, int] = {}
    text_lines = content.splitlines()
    for index, table in enumerate(tables):
        line = lines[index] if index < len(lines) else 0
        try:
            source = _source_from_table(table)
        except (ValueError, TypeError, UnsafeUrlError) as exc:
            end = lines[index + 1] - 1 if index + 1 < len(lines) else len(text_lines)
            where = _key_line(text_lines, line, end, table, str(exc)) or line
            raise SourcesFileError(f"{path}:{where}: {exc}") from None
        if source.name in seen:
            raise SourcesFileError(
                f"{path}:{line}: source name {source.name!r} is already used"
                f" at line {seen[source.name]}"
            )
        seen[source.name] = line
        sources.append(source)
    return sources


def find_source(sources: list[Source], name: str) -> Source:
    """The source called `name`; the error lists the names there are."""
    for source in sources:
        if source.name == name:
            return source
    names = ", ".join(s.name for s in sources) or "none"
    raise SourcesFileError(
        f"no source named {name!r} (configured: {names}); see `fakewatch sources`"
    )


def _key_line(
    text_lines: list[str], start: int, end: int, table: dict[str, Any], message: str
) -> int | None:
    """The line (1-based, within the table's `start`..`end`) of the key `message` is about:
    the key it names first, else the key whose value it quotes first (a source's name is
    quoted in many messages, so its value is no clue)."""
    mentioned: list[tuple[int, int, str]] = []
    for key, value in table.items():
        named = re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", message)
        if named:
            mentioned.append((0, named.start(), key))
            continue
        values = value if isinstance(value, list) else [value]
        quoted = [
            message.find(repr(v))
            for v in values
            if key != "name" and isinstance(v, str) and v and repr(v) in message
        ]
        if quoted:
            mentioned.append((1, min(quoted), key))
    for _, _, key in sorted(mentioned):
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(max(start, 1), min(end, len(text_lines)) + 1):
            if pattern.match(text_lines[number - 1]):
                return number
    return None


def parse_interval(value: Any, key: str) -> int:
    """Seconds from an integer or a string such as '90s', '15m', '6h', '1d'."""
    if isinstance(value, bool):
        raise ValueError(f"{key} must be seconds or a duration like '15m', got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := INTERVAL_PATTERN.match(value)):
        seconds = float(match.group(1)) * INTERVAL_UNITS[match.group(2)]
    else:
        raise ValueError(f"{key} must be seconds or a duration like '15m', got {value!r}")
    if not 1 <= seconds <= MAX_INTERVAL_SECONDS:  # also refuses NaN and infinity
        raise ValueError(f"{key} must be between one second and 365 days, got {value!r}")
    return int(seconds)


def _source_from_table(table: dict[str, Any]) -> Source:
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ValueError(
            f"unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    name = table.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"source name {name!r} must be 1-100 lower-case letters, digits, . _ or -")
    feeds = _urls(table, "feeds")
    sitemaps = _urls(table, "sitemaps")
    homepage = table.get("homepage")
    if homepage is not None:
        if not isinstance(homepage, str):
            raise ValueError(f"source {name!r}: homepage must be a URL string")
        require_http_url(homepage)
    if not (feeds or sitemaps or homepage):
        raise ValueError(f"source {name!r} needs at least one of feeds, sitemaps or homepage")
    interval = parse_interval(table.get("interval", Source.interval_seconds), "interval")
    min_interval = parse_interval(
        table.get("min_interval", min(interval, Source.min_interval_seconds)), "min_interval"
    )
    max_interval = parse_interval(
        table.get("max_interval", max(interval, Source.max_interval_seconds)), "max_interval"
    )
    if not min_interval <= interval <= max_interval:
        raise ValueError(f"source {name!r}: need min_interval <= interval <= max_interval")
    languages = table.get("languages", table.get("language", list(Source.languages)))
    if isinstance(languages, str):
        languages = [languages]
    if not languages or not all(
        isinstance(x, str) and re.fullmatch(r"[a-z]{2,3}", x) for x in languages
    ):
        raise ValueError(f"source {name!r}: languages must be ISO 639-1 codes such as 'en'")
    domains = _strings(table, "allowed_domains") or tuple(
        sorted({host_of(u) for u in (*feeds, *sitemaps, *([homepage] if homepage else []))})
    )
    category = table.get("category", SourceConfig.category)
    if category not in CATEGORIES:
        raise ValueError(f"source {name!r}: category must be one of {', '.join(CATEGORIES)}")
    max_articles = table.get("max_articles")
    if max_articles is not None and (not isinstance(max_articles, int) or max_articles < 1):
        raise ValueError(f"source {name!r}: max_articles must be a positive integer")
    if not isinstance(table.get("enabled", Source.enabled), bool):
        raise ValueError(f"source {name!r}: enabled must be true or false")
    timezone = table.get("timezone")
    if timezone is not None and not _known_zone(timezone):
        raise ValueError(
            f"source {name!r}: timezone {timezone!r} is not a time zone name; use an IANA "
            "name such as 'Europe/Berlin' or 'America/New_York'"
        )
    try:
        private = allowed_networks(table.get("allow_private", False))
    except (ValueError, TypeError):
        raise ValueError(
            f"source {name!r}: allow_private must be true, false or a list of networks "
            "such as ['127.0.0.1/32']"
        ) from None
    return Source(
        name=name,
        feeds=feeds,
        sitemaps=sitemaps,
        homepage=homepage,
        interval_seconds=interval,
        min_interval_seconds=min_interval,
        max_interval_seconds=max_interval,
        allowed_domains=tuple(d.lower().lstrip(".") for d in domains),
        languages=tuple(languages),
        allow_private=private,
        category=category,
        max_articles=max_articles,
        enabled=table.get("enabled", Source.enabled),
        timezone=timezone,
    )


def _known_zone(name: object) -> bool:
    if not isinstance(name, str) or not name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of strings")
    return tuple(value)


def _urls(table: dict[str, Any], key: str) -> tuple[str, ...]:
    urls = _strings(table, key)
    for url in urls:
        require_http_url(url)
    return urls
