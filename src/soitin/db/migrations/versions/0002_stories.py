"""stories: LSH band keys, signatures, timelines, sources; claim embeddings and matches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("velocity_earlier", sa.Float(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "story_signatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_signatures_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_signatures")),
    )
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_signatures_story_id"), ["story_id"], unique=False
        )

    op.create_table(
        "story_band_keys",
        sa.Column("band_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["story_signatures.id"],
            name=op.f("fk_story_band_keys_signature_id_story_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band_key", name=op.f("pk_story_band_keys")),
    )
    with op.batch_alter_table("story_band_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_band_keys_signature_id"), ["signature_id"], unique=False
        )

    op.create_table(
        "story_timeline",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("bucket_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_timeline_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "bucket_start", name=op.f("pk_story_timeline")),
    )

    op.create_table(
        "story_sources",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_story_sources_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_sources_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "source_id", name=op.f("pk_story_sources")),
    )
    with op.batch_alter_table("story_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_sources_source_id"), ["source_id"], unique=False)

    op.create_table(
        "story_claim_queue",
        sa.Column("story_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_claim_queue_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", name=op.f("pk_story_claim_queue")),
    )

    op.create_table(
        "story_claim_matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lexical", sa.Float(), nullable=False),
        sa.Column("semantic", sa.Float(), nullable=True),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_story_claim_matches_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_claim_matches_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_claim_matches")),
        sa.UniqueConstraint(
            "story_id", "claim_id", name=op.f("uq_story_claim_matches_story_id_claim_id")
        ),
    )
    with op.batch_alter_table("story_claim_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_claim_matches_claim_id"), ["claim_id"], unique=False
        )

    op.create_table(
        "claim_embeddings",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_embeddings_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("claim_embeddings")
    with op.batch_alter_table("story_claim_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_claim_matches_claim_id"))
    op.drop_table("story_claim_matches")
    op.drop_table("story_claim_queue")
    with op.batch_alter_table("story_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_sources_source_id"))
    op.drop_table("story_sources")
    op.drop_table("story_timeline")
    with op.batch_alter_table("story_band_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_band_keys_signature_id"))
    op.drop_table("story_band_keys")
    with op.batch_alter_table("story_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_signatures_story_id"))
    op.drop_table("story_signatures")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("velocity_earlier")
