"""`fakewatch db upgrade|current`: schema migrations."""

from __future__ import annotations

import argparse
from typing import Any

from db.engine import check_connection, make_engine
from db.migrate import current_revision, head_revision, upgrade
from fakewatch.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="database schema: upgrade, current version")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="create or migrate the schema to the newest version")
    actions.add_parser("current", help="print the schema version of the database")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    check_connection(engine)
    shown = engine.url.render_as_string(hide_password=True)
    if args.db_action == "upgrade":
        upgrade(engine)
        print(f"{shown}: schema at version {current_revision(engine)}")
        return 0
    current, head = current_revision(engine), head_revision(engine)
    state = (
        "up to date"
        if current == head
        else f"behind (newest is {head}); run `fakewatch db upgrade`"
    )
    print(f"{shown}: schema version {current or 'none'}, {state}")
    return 0
