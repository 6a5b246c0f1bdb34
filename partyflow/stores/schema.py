"""The SQL schema of ``SqlStore`` (SQLAlchemy Core tables). Alembic migrations in
``partyflow.stores.migrations`` create and upgrade it; each revision is self-contained."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """Column type for aware UTC times: ``timestamptz`` on PostgreSQL, fixed-width ISO-8601
    text on SQLite (``2026-01-31T09:00:00.000000Z``)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(27))
        return dialect.type_descriptor(sa.DateTime(timezone=True))


metadata = sa.MetaData()

schema_table = sa.Table(
    "pf_schema", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
)

rules_table = sa.Table(
    "pf_rules", metadata,
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(200), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)

instances_table = sa.Table(
    "pf_instances", metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("procedure", sa.String(64), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # canonical JSON
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("rules_version", sa.String(200), nullable=False),
    sa.Column("rules_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("deadline_at", UtcDateTime, nullable=True),
    sa.Column("terminal", sa.Boolean, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Column("org", sa.String(200), nullable=True),
    sa.Column("escalation", sa.Integer, nullable=False, server_default="0"),
    sa.Column("escalated_to", sa.String(200), nullable=True),
    sa.Column("overdue_since", UtcDateTime, nullable=True),
    sa.Column("deadline_estimated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("remind_at", UtcDateTime, nullable=True),
    sa.Column("last_step_at", UtcDateTime, nullable=True),
    sa.Index("ix_pf_instances_deadline", "deadline_at", "id"),
    sa.Index("ix_pf_instances_remind", "remind_at", "id"),
    sa.Index("ix_pf_instances_procedure_state", "procedure", "state"),
    sa.Index("ix_pf_instances_org", "org"),
    sa.Index("ix_pf_instances_group", "procedure", "state", "rules_hash", "id"),
)

organizations_table = sa.Table(
    "pf_organizations", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("level", sa.String(64), nullable=False),
    sa.Column("parent", sa.String(200), nullable=True),
    sa.Column("secretary", sa.String(200), nullable=True),
    sa.Column("attrs", sa.Text, nullable=False),  # canonical JSON
    sa.Column("added_by", sa.String(128), nullable=True),
    sa.Index("ix_pf_organizations_parent", "parent"),
)

audit_table = sa.Table(
    "pf_audit", metadata,
    sa.Column("instance_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("actor_role", sa.String(64), nullable=False),
    sa.Column("actor_org", sa.String(200), nullable=True),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("from_state", sa.String(64), nullable=True),
    sa.Column("to_state", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # canonical JSON
    sa.Column("rules_version", sa.String(200), nullable=False),
    sa.Column("rules_hash", sa.String(64), nullable=False),
    sa.Column("basis", sa.String(200), nullable=True),
    sa.Column("idempotency_key", sa.String(200), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("state_hash", sa.String(64), nullable=False, server_default=""),
    sa.UniqueConstraint("instance_id", "idempotency_key", name="uq_pf_audit_idempotency"),
)

org_audit_table = sa.Table(
    "pf_org_audit", metadata,  # the hierarchy's trail (partyflow.hierarchy.trail)
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("org_id", sa.String(200), nullable=False),
    sa.Column("org_row", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

events_table = sa.Table(
    "pf_events", metadata,  # the outbox: one row per audit record, written by a trigger (0006)
    sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
              primary_key=True, autoincrement=True),
    sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("instance_id", sa.String(128), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Index("ix_pf_events_txid", "txid", "event_id"),
)

parties_table = sa.Table(
    "pf_instance_parties", metadata,  # who an instance names (partyflow.workflows.parties)
    sa.Column("instance_id", sa.String(128), primary_key=True),
    sa.Column("party", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(1000), nullable=False),
    sa.Index("ix_pf_instance_parties_value", "party", "value", "instance_id"),
)

INSTANCE_COLS = [c.name for c in instances_table.columns]
AUDIT_COLS = [c.name for c in audit_table.columns]
ORG_COLS = [c.name for c in organizations_table.columns]
ORG_AUDIT_COLS = [c.name for c in org_audit_table.columns]
TIME_COLS = frozenset({"created_at", "updated_at", "deadline_at", "overdue_since", "remind_at",
                        "last_step_at", "at", "a_at", "b_now", "b_after_at", "b_start",
                        "b_end"})
JSON_COLS = frozenset({"data", "a_data", "attrs", "org_row"})
"""Parameters holding times (converted per dialect) and JSON (canonical text)."""
