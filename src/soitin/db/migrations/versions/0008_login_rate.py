"""login rate: index audit entries by address and time (failed sign-ins per address)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_audit_events_ip_at", "audit_events", ["ip", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_ip_at", table_name="audit_events")
