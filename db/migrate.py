"""Schema migrations through Alembic: upgrade to the newest version, report the current one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

import migrations
from db.engine import unreachable_message
from db.errors import DatabaseError


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs the packaged migrations on this engine."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to call on every start."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise DatabaseError(unreachable_message(engine, exc)) from None


def current_revision(engine: Engine) -> str | None:
    """The schema version the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseError(unreachable_message(engine, exc)) from None


def head_revision(engine: Engine) -> str | None:
    """The newest schema version this fakewatch knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
