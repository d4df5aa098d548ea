"""Alembic environment: runs migrations on the engine fakewatch hands over."""

from __future__ import annotations

from alembic import context

from db.models import Base
from db.search import described_by_models

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=described_by_models,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("fakewatch runs migrations online only: use `fakewatch db upgrade`")
run_migrations_online()
