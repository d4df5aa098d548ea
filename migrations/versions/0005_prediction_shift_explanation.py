"""predictions.shift_score, shift_limit and explanation; the score and explanation in results

Each prediction records how unlike the model's training data the article is (the domain-shift
score behind an "uncertain" verdict), the model's limit for it, and the features that pushed
its score most, as a JSON list of [feature, contribution] pairs. Predictions stored before
this revision have NULL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0004's view, with the two new columns after `scored_at`.
_PREVIOUS = import_module("migrations.versions.0004_results_view_indexes")
RESULTS_VIEW = _PREVIOUS.RESULTS_VIEW.replace(
    "p.created_at AS scored_at\n",
    "p.created_at AS scored_at,\n    p.shift_score,\n    p.explanation\n",
)
assert RESULTS_VIEW != _PREVIOUS.RESULTS_VIEW


def upgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("shift_limit", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.JSON(), nullable=True))
    op.execute(RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW results")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("explanation")
        batch_op.drop_column("shift_limit")
        batch_op.drop_column("shift_score")
    op.execute(_PREVIOUS.RESULTS_VIEW)
