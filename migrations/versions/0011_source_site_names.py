"""sources.site_names: the names a source's titles were seen to carry (learned by crawls)

A part set off in the titles of several of a source's pages ("... | Daily Courier") is its
name, which titles then lose (`articles.site_names`); kept so that later crawls, recrawls
and restarts know it from their first page. Existing rows start with none.

Revision ID: 0011_source_site_names
Revises: 0010_reviews
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision: str = "0011_source_site_names"
down_revision: str | None = "0010_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds the table to alter it, which the results view (reading `sources`) forbids:
# the view is dropped first and created again as 0010 defines it.
RESULTS_VIEW = import_module("migrations.versions.0010_reviews").RESULTS_VIEW


def upgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_names", sa.JSON(), nullable=False, server_default="[]"))
    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("site_names")
    op.execute(RESULTS_VIEW)
