"""Each audit record seals the instance state it produced.

Adds ``state_hash`` to ``pf_audit``: the SHA-256 of the instance row the step wrote (state,
data, deadline, escalation, organization, version …), covered by the record's own hash, so
``verify`` and the next step can tell a stored row edited in the database from the row the
chain sealed. Records written before this revision keep "" (their hash never covered it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pf_audit") as batch:
        batch.add_column(sa.Column("state_hash", sa.String(64), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("pf_audit") as batch:
        batch.drop_column("state_hash")
