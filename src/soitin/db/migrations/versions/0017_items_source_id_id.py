"""items: index (source_id, id), for a source's latest posts

The stories stage reads a source's last posts to learn the lines it repeats under each of
them (a page's footer), so that they do not make its different posts one story (see
`soitin.stories.boilerplate`). The unique (source_id, external_id) index does not give them
in id order; this one does, on both databases.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_items_source_id_id", "items", ["source_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_items_source_id_id", table_name="items")
