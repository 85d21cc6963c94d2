"""shadow scores: a candidate model version's results beside the active version's

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "shadow_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("active_version", sa.String(length=64), nullable=False),
        sa.Column("active_label", sa.String(length=32), nullable=False),
        sa.Column("active_score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_shadow_scores_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_scores")),
        sa.UniqueConstraint(
            "item_id",
            "detector",
            "version",
            name=op.f("uq_shadow_scores_item_id_detector_version"),
        ),
    )
    op.create_index("ix_shadow_scores_detector_version", "shadow_scores", ["detector", "version"])


def downgrade() -> None:
    op.drop_index("ix_shadow_scores_detector_version", table_name="shadow_scores")
    op.drop_table("shadow_scores")
