"""The application's database: built from settings, checked reachable and migrated on start."""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import check_connection, make_engine
from db.migrate import upgrade
from fakewatch.settings import Settings


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """An engine on the configured database, reachable and (by default) at the newest schema."""
    engine = make_engine(settings.database_url)
    check_connection(engine)
    if migrate:
        upgrade(engine)
    return engine
