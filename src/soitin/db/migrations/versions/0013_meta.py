"""meta: a small key/value table for facts about the stored data

First use: `search_fold_version`, the version of the search folding that wrote
`items.text_folded` and `stories.search_text`, and `search_reindex`, the progress of a
re-index under way (`soitin.text.reindex`). No row is written here: a database without
`search_fold_version` holds text folded before versions were recorded (version 1).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )


def downgrade() -> None:
    op.drop_table("meta")
