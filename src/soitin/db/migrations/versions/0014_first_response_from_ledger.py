"""first response: recomputed from the response ledger

Every human step on a case (a decision, a forward, a comment) used to set
`cases.first_response_at`, so a dismissed or forwarded case counted as "responded" and its
time to first response was the time to the decision. Only response-ledger entries
(`actions`: fact-check, correction, platform report, official notice, referral, public
warning) are responses; this sets the column to each case's earliest response, or NULL.
The statistics read the column live (`stats_days` caches items and stories only), so no
cached figure needs dropping.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE cases SET first_response_at = "
        "(SELECT MIN(actions.at) FROM actions WHERE actions.case_id = cases.id)"
    )


def downgrade() -> None:
    # The recomputed times stay: the older code reads the column the same way.
    pass
