"""band keys: `signature_id` a plain column (no foreign key, no index)

Every story assignment inserts about 25 band keys per new text. On PostgreSQL the foreign
key check (a lookup in `story_signatures` per row) and the `signature_id` index took about
half of that insert's time. Signatures are never deleted (a story merge points them at the
surviving story), and keys are only looked up by `band_key`, so neither is needed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("story_band_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_band_keys_signature_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_story_band_keys_signature_id_story_signatures"), type_="foreignkey"
        )


def downgrade() -> None:
    with op.batch_alter_table("story_band_keys", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_story_band_keys_signature_id_story_signatures"),
            "story_signatures",
            ["signature_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_story_band_keys_signature_id"), ["signature_id"], unique=False
        )
