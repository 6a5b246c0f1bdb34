"""Deadlines on the working-day calendar, reminders before them, and each instance's newest
step time.

Adds three columns to ``pf_instances``: ``deadline_estimated`` (the deadline was computed on
an estimated calendar: a year whose State Council holiday notice is not yet in the data),
``remind_at`` (when a reminder before the deadline is due, indexed with ``id`` for the
reminder query's keyset pages) and ``last_step_at`` (the ``at`` of the newest audit record,
so a step whose clock went backwards can be refused). Existing rows get ``false``, NULL and
NULL: without ``last_step_at`` the engine falls back to ``updated_at``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True).with_variant(sa.String(27), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("pf_instances") as batch:
        batch.add_column(sa.Column("deadline_estimated", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("remind_at", _TIME, nullable=True))
        batch.add_column(sa.Column("last_step_at", _TIME, nullable=True))
    op.create_index("ix_pf_instances_remind", "pf_instances", ["remind_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_pf_instances_remind", table_name="pf_instances")
    with op.batch_alter_table("pf_instances") as batch:
        batch.drop_column("last_step_at")
        batch.drop_column("remind_at")
        batch.drop_column("deadline_estimated")
