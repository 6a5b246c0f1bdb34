"""Who an instance names (当事方): ``pf_instance_parties``, the index an inbox reads; and
``ix_pf_instances_group`` (procedure, state, rules hash, id), on which ``impact`` pages
through one group of open instances as a range instead of sorting the group for each page.

One row per instance and party key (``ProcedureDef.party_keys``: an organization input a role
is bound to other than the responsible one, ``@starter``, a ``subject`` input), written by
the step that sets it, in its transaction. Instances already in the store get theirs now,
from the rules text each one runs under (``pf_rules``) and its first record (the starter);
an instance whose rules text cannot be read or no longer has its procedure gets none (it
cannot be stepped either until its rules are restored).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PAGE = 1000


def upgrade() -> None:
    op.create_table(
        "pf_instance_parties",
        sa.Column("instance_id", sa.String(128), primary_key=True),
        sa.Column("party", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(1000), nullable=False),
    )
    op.create_index("ix_pf_instance_parties_value", "pf_instance_parties",
                    ["party", "value", "instance_id"])
    op.create_index("ix_pf_instances_group", "pf_instances",
                    ["procedure", "state", "rules_hash", "id"])
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    from partyflow.errors import PartyflowError
    from partyflow.rules.definitions import STARTER_KEY
    from partyflow.rules.loader import load_rules_text
    from partyflow.workflows.parties import start_parties

    rules: dict[str, Any] = {}

    def procedures(content_hash: str) -> Any:
        if content_hash not in rules:
            source = conn.execute(sa.text("SELECT source FROM pf_rules WHERE content_hash = :h"),
                                  {"h": content_hash}).scalar()
            try:
                rules[content_hash] = None if source is None else load_rules_text(
                    source, f"pf_rules:{content_hash[:12]}").procedures
            except PartyflowError:
                rules[content_hash] = None
        return rules[content_hash]

    page = sa.text(
        "SELECT i.id, i.procedure, i.rules_hash, i.data, a.actor_id FROM pf_instances i "
        "LEFT JOIN pf_audit a ON a.instance_id = i.id AND a.seq = 1 "
        "WHERE i.id > :after ORDER BY i.id LIMIT :limit")
    insert = sa.text("INSERT INTO pf_instance_parties (instance_id, party, value) "
                     "VALUES (:i, :p, :v)")
    after = ""
    while rows := conn.execute(page, {"after": after, "limit": _PAGE}).fetchall():
        values = []
        for iid, procedure, rules_hash, data, starter in rows:
            procs = procedures(rules_hash)
            proc = procs.get(procedure) if procs is not None else None
            if proc is None or not proc.party_keys:
                continue
            named = start_parties(proc, json.loads(data), starter or "")
            if starter is None:
                named.pop(STARTER_KEY, None)
            for party, value in named.items():
                values.append({"i": iid, "p": party, "v": value})
        if values:
            conn.execute(insert, values)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_pf_instances_group", "pf_instances")
    op.drop_index("ix_pf_instance_parties_value", "pf_instance_parties")
    op.drop_table("pf_instance_parties")
