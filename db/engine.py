"""Engine and session factory, built on demand (never at import time) for SQLite or PostgreSQL."""

from __future__ import annotations

import logging
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
