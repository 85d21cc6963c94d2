"""story_band_keys: emptied on SQLite, which no longer needs it

On SQLite a stories batch holds the database's write lock while it reads the band index and
adds its signatures, so the unique band keys that keep PostgreSQL workers from creating one
story twice guard nothing there (see `soitin.stories.assign`). The keys written before are
deleted: about 1,500 bytes of a story's 4,000 in the database. SQLite reuses the freed pages;
`VACUUM` gives them back to the file system. PostgreSQL keeps its keys.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM story_band_keys")


def downgrade() -> None:
    # The earlier code writes keys for new stories only and finds older ones through the
    # signatures it reads into its in-process index: nothing to put back.
    pass
