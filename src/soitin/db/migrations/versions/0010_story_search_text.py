"""story search text: the representative text folded for search, on the story row

The review queue's diacritic-free substring search read each case's representative item
(one random row of `items` per case); it now reads `stories.search_text`. Filled here from
the representative items' folded text.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    op.execute(
        "UPDATE stories SET search_text = COALESCE((SELECT substr(items.text_folded, 1, 4000) "
        "FROM items WHERE items.id = stories.representative_item_id), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("search_text")
