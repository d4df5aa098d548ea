"""Installation and configuration checks for `fakewatch doctor`: each says what to fix.

Checks never change anything: no schema is migrated, no SQLite file is created, no model is
trained. A check that cannot run because an earlier one failed (no settings, no database)
says so instead of guessing.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import json
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

OK, WARN, FAIL = "ok", "warn", "FAIL"

# import name -> distribution name: what `make install` puts in the virtual environment.
REQUIRED_PACKAGES = {
    "scrapy": "scrapy",
    "newspaper": "newspaper4k",
    "trafilatura": "trafilatura",
    "sqlalchemy": "sqlalchemy",
    "alembic": "alembic",
    "apscheduler": "apscheduler",
    "prometheus_client": "prometheus-client",
    "pandas": "pandas",
    "nltk": "nltk",
    "lightgbm": "lightgbm",
}


@dataclasses.dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, and (unless ok) what to do."""

    name: str
    status: str
    detail: str
    fix: str = ""


def run_checks(config_file: str | None) -> list[Check]:
    """Every check, in the order a person would fix them."""
    from fakewatch.settings import SettingsError, load_settings

    checks = [check_python(), *check_packages()]
    try:
        settings = load_settings(config_file)
    except SettingsError as exc:
        checks.append(Check("settings", FAIL, str(exc), "fix the settings file"))
        return checks
    where = settings.config_file or "defaults (no settings file)"
    checks.append(Check("settings", OK, f"{where}"))
    checks.append(check_sources(settings.sources_file))
    checks.append(check_database(settings.database_url))
    model_checks, needs_stopwords = check_models([Path(m) for m in settings.daemon.models])
    checks.extend(model_checks)
    checks.append(check_nltk(needs_stopwords))
    checks.append(check_metrics_port(settings.daemon.metrics_address, settings.daemon.metrics_port))
    return checks


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("python", OK, f"Python {version} at {sys.executable}")


def check_packages() -> Iterator[Check]:
    missing = [dist for name, dist in REQUIRED_PACKAGES.items() if not _importable(name)]
    if missing:
        yield Check(
            "packages",
            FAIL,
            f"not installed: {', '.join(missing)}",
            "run `make install` (or pip install -c constraints.txt -e .)",
        )
        return
    names = ("scrapy", "newspaper4k", "lightgbm")
    versions = ", ".join(f"{name} {_version(name)}" for name in names)
    yield Check("packages", OK, versions)
    yield check_extras()


def check_extras() -> Check:
    """The optional neural stacks: installed or not; never a problem by themselves."""
    from classifier.extras import EXTRA_MODULES, missing

    absent = [extra for extra in EXTRA_MODULES if missing(extra)]
    detail = ", ".join(
        f"{extra} {'not installed' if extra in absent else 'installed'}" for extra in EXTRA_MODULES
    )
    fix = (
        f"needed only by the {' and '.join(absent)} model kinds"
        f"{' and claim matching by meaning' if 'transformer' in absent else ''}: "
        f"pip install 'fakewatch[{','.join(absent)}]'"
        if absent
        else ""
    )
    return Check("extras", OK, detail, fix)


def check_sources(path: Path) -> Check:
    from crawler.errors import CrawlError
    from crawler.sources import load_sources

    try:
        sources = load_sources(path)
    except CrawlError as exc:
        return Check("sources", FAIL, str(exc), "fix the sources file")
    enabled = sum(source.enabled for source in sources)
    if not enabled:
        return Check(
            "sources", WARN, f"{path}: no enabled source", "enable or add a [[source]] to crawl"
        )
    return Check("sources", OK, f"{len(sources)} sources ({enabled} enabled) in {path}")


def check_database(database_url: str) -> Check:
    from db.engine import check_connection, check_writable, make_engine
    from db.errors import DatabaseError
    from db.migrate import current_revision, head_revision

    try:
        url = make_url(database_url)
    except ArgumentError:  # make_engine words the message below
        url = None
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        # A URI filename ("file:/path/x.db?mode=ro" with uri=true) names the same file.
        database_file = Path(url.database.removeprefix("file:").split("?")[0])
        if not database_file.exists():
            folder = database_file.resolve().parent
            if not os.access(folder, os.W_OK):
                return Check(
                    "database",
                    FAIL,
                    f"cannot create {database_file}: {folder} is not writable",
                    "run from a writable folder or set FAKEWATCH_DATABASE_URL",
                )
            return Check(
                "database",
                WARN,
                f"{database_file} does not exist yet",
                "run `fakewatch setup` or `fakewatch db upgrade` to create it",
            )
    try:
        engine = make_engine(database_url)
        check_connection(engine)
    except DatabaseError as exc:
        return Check("database", FAIL, str(exc), "start the database or correct its URL")
    try:
        check_writable(engine)
    except DatabaseError as exc:
        engine.dispose()
        return Check("database", FAIL, str(exc), "make the database writable")
    shown = engine.url.render_as_string(hide_password=True)
    try:
        current, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    if current != head:
        return Check(
            "database",
            FAIL,
            f"{shown}: schema {current or 'empty'}, newest is {head}",
            "run `fakewatch db upgrade`",
        )
    return Check("database", OK, f"{shown}: reachable, schema {current} (newest)")


def check_models(folders: list[Path]) -> tuple[list[Check], bool]:
    """One check per model folder, and whether any loaded model removes NLTK stop words."""
    from classifier.errors import ClassifierError
    from classifier.extras import MissingExtraError
    from classifier.models.artifacts import MANIFEST_NAME, load_model

    checks, needs_stopwords = [], False
    for folder in folders:
        if not (folder / MANIFEST_NAME).is_file():
            checks.append(
                Check(
                    "model",
                    WARN,
                    f"no model in {folder}: articles wait unscored",
                    "run `fakewatch setup` (trains the default) or `fakewatch train --out "
                    f"{folder}`",
                )
            )
            continue
        try:
            model = load_model(folder)
        except MissingExtraError as exc:
            checks.append(Check("model", FAIL, str(exc), "install the extra it names"))
            continue
        except ClassifierError as exc:
            checks.append(Check("model", FAIL, str(exc), "retrain it or restore the folder"))
            continue
        needs_stopwords |= bool(model.preprocessing_.remove_stopwords)
        checks.append(Check("model", OK, f"{folder}: {model.kind} version {model.version_}"))
    if not folders:
        checks.append(
            Check("model", WARN, "no model folder configured", "set [daemon] models in settings")
        )
    return checks, needs_stopwords


def check_nltk(required: bool) -> Check:
    import nltk

    try:
        found = nltk.data.find("corpora/stopwords")
    except LookupError:
        status = FAIL if required else WARN
        why = "a deployed model removes stop words" if required else "needed by stop-word models"
        return Check(
            "nltk",
            status,
            f"NLTK stop words not found ({why})",
            "set NLTK_DATA to a folder with corpora/stopwords, or run "
            "`python -m nltk.downloader stopwords`",
        )
    return Check("nltk", OK, f"stop words at {found}")


def check_metrics_port(
    address: str, port: int, *, probe: Callable[[str], bool] | None = None
) -> Check:
    """Free, or already serving a fakewatch daemon's /healthz; anything else is a clash."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((address, port))
        except OSError as exc:
            host = f"[{address}]" if ":" in address else address
            if (probe or _answers_healthz)(f"http://{host}:{port}/healthz"):
                return Check(
                    "metrics",
                    WARN,
                    f"{address}:{port} is in use by a running fakewatch daemon",
                    "stop it first, or give this one another [daemon] metrics_port",
                )
            return Check(
                "metrics",
                FAIL,
                f"cannot listen on {address}:{port} ({exc.strerror})",
                "free the port or set [daemon] metrics_port / metrics_address",
            )
    return Check("metrics", OK, f"{address}:{port} is free for /metrics and /healthz")


def render(checks: list[Check]) -> str:
    """Aligned lines for a person: status, check, detail, and the fix under problems."""
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status:<4}  {check.name:<{width}}  {check.detail}")
        if check.fix:
            lines.append(f"{'':<4}  {'':<{width}}  -> {check.fix}")
    failures = sum(check.status == FAIL for check in checks)
    warnings = sum(check.status == WARN for check in checks)
    lines.append(f"{failures} problem(s) to fix, {warnings} warning(s)")
    return "\n".join(lines)


def as_json(checks: list[Check]) -> str:
    return json.dumps([dataclasses.asdict(check) for check in checks], indent=2)


def _version(name: str) -> str:
    """The installed version; TensorFlow may be installed as its CPU-only distribution."""
    for dist in (name, f"{name}-cpu", f"{name}_cpu"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "(version unknown)"


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _answers_healthz(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return "alive" in json.loads(response.read(65536) or b"{}")
    except urllib.error.HTTPError as exc:  # 503 while not ready still answers the JSON
        try:
            return "alive" in json.loads(exc.read(65536) or b"{}")
        except ValueError:
            return False
    except (OSError, ValueError):
        return False
