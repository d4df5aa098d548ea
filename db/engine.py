"""Engine and session factory, built on demand (never at import time) for SQLite or PostgreSQL."""

from __future__ import annotations

import logging
import shutil
import sqlite3  # noqa: F401  (before any TensorFlow import: see classifier/models/lstm_network.py)
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from common.messages import first_line
from db.errors import DatabaseError

LOGGER = logging.getLogger(__name__)


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine for the URL: SQLite in WAL mode with foreign keys, PostgreSQL with pre-ping."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise DatabaseError(
            f"database URL {_redacted(database_url)!r} is not valid; "
            "use sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"
        ) from None
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True, **kwargs)
    raise DatabaseError(
        f"database backend {url.get_backend_name()!r} is not supported; use SQLite or PostgreSQL"
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (units of work are short)."""
    return sessionmaker(engine, expire_on_commit=False)


def check_connection(engine: Engine) -> None:
    """Raise a one-line DatabaseError when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DatabaseError(unreachable_message(engine, exc)) from None


# Below this much free space beside a SQLite file, writes are about to fail.
MIN_FREE_BYTES = 50 * 1024 * 1024


def check_writable(engine: Engine) -> None:
    """Raise a one-line DatabaseError when the database cannot take writes: a read-only file,
    folder or server, a lock held for good, or (SQLite) a disk about to be full."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # Rewrites the header's user_version with its own value, then rolls back:
                # fails as a real write would (read-only file or URI, lock held), changes nothing.
                version = connection.exec_driver_sql("PRAGMA user_version").scalar()
                connection.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")
                connection.rollback()
            elif connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                raise DatabaseError(
                    f"database {_shown(engine)} is read-only (a standby or a read-only role): "
                    "point FAKEWATCH_DATABASE_URL at the primary with a writing role"
                )
    except OperationalError as exc:
        raise DatabaseError(failure_message(engine, exc)) from None
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).resolve().parent
        free = shutil.disk_usage(folder).free
        if free < MIN_FREE_BYTES:
            raise DatabaseError(
                f"only {free // 2**20} MiB free beside {database}: free disk space before "
                "fakewatch writes more"
            )


def failure_message(engine: Engine | None, exc: BaseException) -> str:
    """One line for a database failure, with what to do for the common ones."""
    reason = first_line(getattr(exc, "orig", exc))
    lowered = reason.lower()
    shown = f"database {_shown(engine)}" if engine is not None else "the database"
    for clue, advice in FAILURE_ADVICE:
        if clue in lowered:
            return f"{shown}: {reason}; {advice}"
    if engine is None:
        return f"{shown} failed ({reason}); check that it is running and has free space"
    return unreachable_message(engine, exc)


FAILURE_ADVICE = (
    ("locked", "another process holds its write lock: stop it, or retry when it is done"),
    ("readonly", "the file or its folder is read-only: fix the permissions or the URL"),
    ("read-only", "the database is read-only: fix the permissions or the URL"),
    ("disk is full", "free disk space, then run the command again"),
    ("no space left", "free disk space, then run the command again"),
    ("disk i/o error", "the disk failed a write: check it and its free space"),
)


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def unreachable_message(engine: Engine, exc: BaseException) -> str:
    """One line saying which database could not be reached, without its password."""
    reason = first_line(getattr(exc, "orig", exc))
    return (
        f"database {engine.url.render_as_string(hide_password=True)} is unreachable ({reason}); "
        "check that it is running and that FAKEWATCH_DATABASE_URL is right"
    )


def _redacted(database_url: str) -> str:
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return database_url.split("@")[-1]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
