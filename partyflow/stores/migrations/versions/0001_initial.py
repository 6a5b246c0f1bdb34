"""The store's tables as of partyflow 0.1 (what ``metadata.create_all`` made before).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# aware UTC times: timestamptz on PostgreSQL, fixed-width ISO-8601 text on SQLite
_TIME = sa.DateTime(timezone=True).with_variant(sa.String(27), "sqlite")


def upgrade() -> None:
    schema = op.create_table(
        "pf_schema",
        sa.Column("version", sa.Integer, primary_key=True),
    )
    op.bulk_insert(schema, [{"version": 1}])
    op.create_table(
        "pf_rules",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_table(
        "pf_instances",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("procedure", sa.String(64), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("rules_version", sa.String(200), nullable=False),
        sa.Column("rules_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("deadline_at", _TIME, nullable=True),
        sa.Column("terminal", sa.Boolean, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_pf_instances_deadline", "pf_instances", ["deadline_at", "id"])
    op.create_index("ix_pf_instances_procedure_state", "pf_instances", ["procedure", "state"])
    op.create_table(
        "pf_audit",
        sa.Column("instance_id", sa.String(128), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(64), nullable=False),
        sa.Column("actor_org", sa.String(200), nullable=True),
        sa.Column("trigger", sa.String(64), nullable=False),
        sa.Column("from_state", sa.String(64), nullable=True),
        sa.Column("to_state", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("rules_version", sa.String(200), nullable=False),
        sa.Column("rules_hash", sa.String(64), nullable=False),
        sa.Column("basis", sa.String(200), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("instance_id", "idempotency_key", name="uq_pf_audit_idempotency"),
    )


def downgrade() -> None:
    op.drop_table("pf_audit")
    op.drop_index("ix_pf_instances_procedure_state", table_name="pf_instances")
    op.drop_index("ix_pf_instances_deadline", table_name="pf_instances")
    op.drop_table("pf_instances")
    op.drop_table("pf_rules")
    op.drop_table("pf_schema")
