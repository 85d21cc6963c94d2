"""search: full-text index over items.text_folded (FTS5 on SQLite, GIN on PostgreSQL)

SQLite: the FTS5 table `items_fts` with external content `items` (no second copy of the
text), kept in step by three triggers, and filled from the existing rows. A later migration
that rebuilds `items` with `batch_alter_table` drops these triggers: it must create them
again (`_create_sqlite_triggers`).

PostgreSQL: a GIN index on `to_tsvector('simple', text_folded)`; the query in
`soitin.text.search` uses the same expression so the planner can use it.

`ix_items_fts` exists on both, so both databases show the same index names: on SQLite it
is a small partial index of the items whose folded text is not written yet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_SQLITE_TRIGGERS = {
    "items_fts_ai": """
        CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, text_folded) VALUES (new.id, new.text_folded);
        END""",
    "items_fts_ad": """
        CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, text_folded)
            VALUES ('delete', old.id, old.text_folded);
        END""",
    "items_fts_au": """
        CREATE TRIGGER items_fts_au AFTER UPDATE OF text_folded ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, text_folded)
            VALUES ('delete', old.id, old.text_folded);
            INSERT INTO items_fts(rowid, text_folded) VALUES (new.id, new.text_folded);
        END""",
}


def _create_sqlite_triggers() -> None:
    for statement in _SQLITE_TRIGGERS.values():
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE items_fts USING fts5("
            "text_folded, content='items', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        _create_sqlite_triggers()
        op.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
        op.execute("CREATE INDEX ix_items_fts ON items (id) WHERE text_folded = ''")
    else:
        op.execute(
            "CREATE INDEX ix_items_fts ON items USING gin (to_tsvector('simple', text_folded))"
        )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_items_fts")
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
