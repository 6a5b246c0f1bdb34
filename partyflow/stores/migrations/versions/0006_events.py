"""The outbox (事件): ``pf_events``, one row per audit record, written by the database.

A trigger on ``pf_audit`` inserts ``(instance_id, seq)`` into ``pf_events`` for every record,
in the inserting transaction, so no code path can commit a step without its event and an
event never exists for a step that rolled back. ``event_id`` numbers them. On PostgreSQL
``txid`` holds the writing transaction's id: a reader delivers only events of transactions
older than every running one (``pg_snapshot_xmin``) in ``(txid, event_id)`` order, so an
event committed late by a slow transaction is never skipped. SQLite has one writer at a time:
``event_id`` order is commit order, and ``txid`` stays 0.

Records already in the store get their events now, in ``(at, instance_id, seq)`` order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pf_audit_event() RETURNS trigger AS $$
BEGIN
    INSERT INTO pf_events (txid, instance_id, seq)
    VALUES ((pg_current_xact_id()::text)::bigint, NEW.instance_id, NEW.seq);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "pf_events",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("instance_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_pf_events_txid", "pf_events", ["txid", "event_id"])
    op.execute("INSERT INTO pf_events (txid, instance_id, seq) SELECT 0, instance_id, seq "
               "FROM pf_audit ORDER BY at, instance_id, seq")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER pf_audit_event AFTER INSERT ON pf_audit "
                   "FOR EACH ROW EXECUTE FUNCTION pf_audit_event()")
    else:
        op.execute("CREATE TRIGGER pf_audit_event AFTER INSERT ON pf_audit BEGIN "
                   "INSERT INTO pf_events (instance_id, seq) VALUES (NEW.instance_id, NEW.seq); "
                   "END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS pf_audit_event" + (
        " ON pf_audit" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS pf_audit_event()")
    op.drop_index("ix_pf_events_txid", "pf_events")
    op.drop_table("pf_events")
