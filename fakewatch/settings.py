"""Settings: loaded once from a TOML file and the environment, then passed down as plain values."""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from crawler.settings import CrawlSettings
from scheduler.settings import DaemonSettings

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
CONFIG_ENV = "FAKEWATCH_CONFIG"
DATABASE_ENV = "FAKEWATCH_DATABASE_URL"
SOURCES_ENV = "FAKEWATCH_SOURCES"
MODELS_ENV = "FAKEWATCH_MODELS"
HOST_NAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


class SettingsError(Exception):
    """The settings file or environment holds a value fakewatch cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything fakewatch reads from its settings file and environment."""

    database_url: str = "sqlite:///fakewatch.db"
    sources_file: Path = DEFAULT_SOURCES_FILE
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    config_file: Path | None = None


def load_settings(config_file: str | os.PathLike[str] | None = None) -> Settings:
    """Read the settings file (argument, else $FAKEWATCH_CONFIG) and apply the environment."""
    path = config_file or os.environ.get(CONFIG_ENV)
    settings = Settings()
    if path:
        settings = _from_file(Path(path))
    if url := os.environ.get(DATABASE_ENV):
        settings = replace(settings, database_url=url)
    if sources := os.environ.get(SOURCES_ENV):
        settings = replace(settings, sources_file=Path(sources))
    if models := os.environ.get(MODELS_ENV):
        daemon = replace(settings.daemon, models=tuple(models.split(os.pathsep)))
        settings = replace(settings, daemon=daemon)
    return settings


def _from_file(path: Path) -> Settings:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"settings file {path} not found; check --config or ${CONFIG_ENV}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path}: {exc}; fix the TOML syntax") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {path} cannot be read ({exc})") from None
    crawl_raw = raw.pop("crawl", {})
    daemon_raw = raw.pop("daemon", {})
    top = _typed(path, "", Settings, raw, skip={"crawl", "daemon", "config_file"})
    if "sources_file" in top:
        top["sources_file"] = (path.parent / top["sources_file"]).resolve()
    crawl = CrawlSettings(**_typed(path, "crawl.", CrawlSettings, crawl_raw, skip=set()))
    models = daemon_raw.pop("models", None)
    daemon_values = _typed(path, "daemon.", DaemonSettings, daemon_raw, skip={"models"})
    if models is not None:
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise SettingsError(f"settings file {path}: daemon.models must be a list of folders")
        daemon_values["models"] = tuple(str((path.parent / m).resolve()) for m in models)
    daemon = DaemonSettings(**daemon_values)
    return Settings(**top, crawl=crawl, daemon=daemon, config_file=path)


def _typed(
    path: Path, prefix: str, cls: type, raw: dict[str, Any], *, skip: set[str]
) -> dict[str, Any]:
    """Check each key of one table against the dataclass' fields and their default's type."""
    known = {f.name: f for f in fields(cls) if f.name not in skip}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            names = ", ".join(sorted(known))
            raise SettingsError(f"settings file {path}: unknown key {prefix}{key} (known: {names})")
        default = getattr(cls(), key)
        expected: type = Path if isinstance(default, Path) else type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is Path and isinstance(value, str):
            value = Path(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(
                f"settings file {path}: {prefix}{key} must be {expected.__name__}, got {value!r}"
            )
        problem = _out_of_bounds(value, known[key].metadata)
        if problem:
            raise SettingsError(f"settings file {path}: {prefix}{key} {problem}, got {value!r}")
        values[key] = value
    return values


def _out_of_bounds(value: Any, metadata: Mapping[str, Any]) -> str | None:
    """What is wrong with a well-typed value for its field's declared range or choices."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if "range" in metadata:
        low, high = metadata["range"]
        if not low <= value <= high:
            return f"must be between {low} and {high}"
    if "choices" in metadata and value not in metadata["choices"]:
        return "must be one of " + ", ".join(metadata["choices"])
    if metadata.get("address") and not _is_address(value):
        return "must be an IP address or a host name"
    return None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return bool(HOST_NAME.fullmatch(text))
