"""sources.category: what kind of outlet a source is (wire, broadsheet, satire, ...)

Stored so that metrics and `stats` can compare kinds of outlets; existing rows get "other"
until the daemon or a crawl syncs their configuration.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:20:00
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite rebuilds the table to alter it, which the results view (reading `sources`) forbids:
# the view is dropped first and created again as 0005 defines it.
RESULTS_VIEW = import_module("migrations.versions.0005_prediction_shift_explanation").RESULTS_VIEW


def upgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.String(length=20), nullable=False, server_default="other")
        )
    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("category")
    op.execute(RESULTS_VIEW)
