"""crawl_runs.articles_owed: listed articles a crawl left for the next one

Articles over the per-crawl limit, and those that failed for a reason a later crawl may
mend (a timeout, a 503, a locked database). While any are owed, the listings' validators are
not kept, so the next crawl reads the listings again instead of skipping them as unchanged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("articles_owed", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("articles_owed")
