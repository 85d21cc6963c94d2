"""story category: filled from the stories' items

`stories.category` was never written: reports and the dashboard counted every story as
"uncategorised", and a category filter found no story. The pipeline now sets it from the
items' categories (`soitin.stories.aggregate.story_category`: the first harm category in item
order, spam only when no item brings a harm category); this fills it for the stories stored
before, and drops the daily statistics of stories already cached so they are counted again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE stories SET category = COALESCE("
        "(SELECT items.category FROM items WHERE items.story_id = stories.id "
        "AND items.category IS NOT NULL AND items.category <> 'spam' ORDER BY items.id LIMIT 1), "
        "(SELECT items.category FROM items WHERE items.story_id = stories.id "
        "AND items.category = 'spam' LIMIT 1)) "
        "WHERE category IS NULL"
    )
    op.execute("DELETE FROM stats_days WHERE kind = 'story'")
    op.execute("DELETE FROM stats_days_done WHERE kind = 'story'")


def downgrade() -> None:
    # The categories stay: before this revision nothing read them but the statistics.
    pass
