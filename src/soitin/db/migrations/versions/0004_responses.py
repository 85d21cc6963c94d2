"""responses and reports: fact-check claim/verdict/title on actions, publication external ids,
snapshot source and one snapshot per moment, indexes for period statistics

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verdict", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("title", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_claim_id_claims"),
            "claims",
            ["claim_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_actions_at", ["at"], unique=False)

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            "ix_publications_channel_external_id", ["channel", "external_id"], unique=False
        )
        batch_op.create_index("ix_publications_published_at", ["published_at"], unique=False)

    with op.batch_alter_table("publication_snapshots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), server_default="form", nullable=False)
        )
        batch_op.create_index(
            "ix_publication_snapshots_publication_id_at", ["publication_id", "at"], unique=True
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_opened_at", ["opened_at"], unique=False)

    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index("ix_stories_first_seen", ["first_seen"], unique=False)

    # Covering indexes for the period statistics (soitin.report.stats): a month of items is
    # counted by day, category and places from the index alone, without a table lookup per
    # row. PostgreSQL cannot put JSON in a btree key, so there the places are INCLUDE columns.
    for table, time_column in (("items", "fetched_at"), ("stories", "first_seen")):
        name = f"ix_{table}_period_stats"
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE INDEX {name} ON {table} ({time_column}, category) "
                "INCLUDE (province_codes, ward_codes)"
            )
        else:
            op.execute(
                f"CREATE INDEX {name} ON {table} "
                f"({time_column}, category, province_codes, ward_codes)"
            )

    op.create_table(
        "stats_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("province_codes", sa.Text(), nullable=False),
        sa.Column("ward_codes", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_days")),
    )
    op.create_index("ix_stats_days_kind_tz_day", "stats_days", ["kind", "tz", "day"])
    op.create_table(
        "stats_days_done",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "tz", "day", name=op.f("pk_stats_days_done")),
    )


def downgrade() -> None:
    op.drop_table("stats_days_done")
    op.drop_index("ix_stats_days_kind_tz_day", table_name="stats_days")
    op.drop_table("stats_days")
    op.execute("DROP INDEX ix_stories_period_stats")
    op.execute("DROP INDEX ix_items_period_stats")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_first_seen")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_opened_at")

    with op.batch_alter_table("publication_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_publication_snapshots_publication_id_at")
        batch_op.drop_column("source")

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index("ix_publications_published_at")
        batch_op.drop_index("ix_publications_channel_external_id")
        batch_op.drop_column("external_id")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_at")
        batch_op.drop_constraint(batch_op.f("fk_actions_claim_id_claims"), type_="foreignkey")
        batch_op.drop_column("title")
        batch_op.drop_column("verdict")
        batch_op.drop_column("claim_id")
