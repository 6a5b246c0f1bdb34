"""The hierarchy's own trail (组织体系留痕): ``pf_org_audit``.

One hash chain for every change of an organization (``partyflow.hierarchy.trail``): ``seq``
(global, from 1, without gaps), ``at``, ``actor_id``, ``action`` (``import``, ``update``,
``establish``), ``org_id``, ``org_row`` (the organization's whole row after the change, as
canonical JSON), ``prev_hash`` and ``hash``.

Organizations already in the store when this runs get one ``import`` record each, by the actor
``partyflow.migration:0005`` at the time of the upgrade, in id order: the trail starts from the
rows as they are then (what happened to them before is not known), so that a store upgraded
from 0004 verifies. The record hash is written out here (not imported) to keep the revision
self-contained; it is the one ``partyflow.hierarchy.trail.org_record_hash`` computes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True).with_variant(sa.String(27), "sqlite")
MIGRATION_ACTOR = "partyflow.migration:0005"

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False, check_circular=False).encode


def upgrade() -> None:
    op.create_table(
        "pf_org_audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("org_id", sa.String(200), nullable=False),
        sa.Column("org_row", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, name, level, parent, secretary, attrs, added_by FROM pf_organizations "
        "ORDER BY id")).fetchall()
    if not rows:
        return
    now = dt.datetime.now(dt.UTC)
    stored_at: object = (now.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if bind.dialect.name == "sqlite"
                         else now)
    prev, records = "", []
    for seq, (oid, name, level, parent, secretary, attrs, added_by) in enumerate(rows, 1):
        row = {"id": oid, "name": name, "level": level, "parent": parent,
               "secretary": secretary, "attrs": json.loads(attrs), "added_by": added_by}
        digest = hashlib.sha256(_dumps([seq, now.isoformat(), MIGRATION_ACTOR, "import", oid,
                                        row, prev]).encode()).hexdigest()
        records.append({"seq": seq, "at": stored_at, "actor_id": MIGRATION_ACTOR,
                        "action": "import", "org_id": oid, "org_row": _dumps(row),
                        "prev_hash": prev, "hash": digest})
        prev = digest
    insert = sa.text("INSERT INTO pf_org_audit (seq, at, actor_id, action, org_id, org_row, "
                     "prev_hash, hash) VALUES (:seq, :at, :actor_id, :action, :org_id, "
                     ":org_row, :prev_hash, :hash)")
    bind.execute(insert, records)


def downgrade() -> None:
    op.drop_table("pf_org_audit")
