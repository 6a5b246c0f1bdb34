"""The statements ``SqlStore`` runs, as Core expressions (compiled once per dialect)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from partyflow.stores.schema import (
    AUDIT_COLS,
    INSTANCE_COLS,
    ORG_AUDIT_COLS,
    ORG_COLS,
    UtcDateTime,
    audit_table,
    events_table,
    instances_table,
    org_audit_table,
    organizations_table,
    parties_table,
    rules_table,
)

_I = instances_table.c
_A = audit_table.c
_O = organizations_table.c
_T = org_audit_table.c
_P = parties_table.c


def _p(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(name)


STATEMENTS: dict[str, Any] = {
    "get": sa.select(instances_table).where(_I.id == _p("b_id")),
    # the row and its newest record in one read (a step checks one against the other)
    "get_head": sa.select(instances_table, audit_table)
    .select_from(instances_table.outerjoin(
        audit_table, sa.and_(_A.instance_id == _I.id, _A.seq == _I.version)))
    .where(_I.id == _p("b_id")),
    "version": sa.select(_I.version).where(_I.id == _p("b_id")),
    "update": instances_table.update()
    .where(_I.id == _p("b_id"), _I.version == _p("b_expected"))
    .values(state=_p("state"), data=_p("data"), version=_p("version"),
            updated_at=_p("updated_at"), deadline_at=_p("deadline_at"),
            terminal=_p("terminal"), last_hash=_p("last_hash"), org=_p("org"),
            escalation=_p("escalation"), escalated_to=_p("escalated_to"),
            overdue_since=_p("overdue_since"), rules_version=_p("rules_version"),
            rules_hash=_p("rules_hash"), deadline_estimated=_p("deadline_estimated"),
            remind_at=_p("remind_at"), last_step_at=_p("last_step_at")),
    "insert_instance": instances_table.insert().values(
        {c: _p(c) for c in INSTANCE_COLS}),
    "insert_audit": audit_table.insert().values({c: _p(c) for c in AUDIT_COLS}),
    "find_step": sa.select(audit_table).where(_A.instance_id == _p("b_id"),
                                              _A.idempotency_key == _p("b_key")),
    "record": sa.select(audit_table).where(_A.instance_id == _p("b_id"),
                                           _A.seq == _p("b_seq")),
    "history": sa.select(audit_table).where(_A.instance_id == _p("b_id")).order_by(_A.seq),
    "overdue": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.deadline_at.is_not(None), _I.deadline_at <= _p("b_now"))
    .order_by(_I.deadline_at, _I.id).limit(_p("b_limit")),
    "overdue_after": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.deadline_at.is_not(None), _I.deadline_at <= _p("b_now"),
           sa.or_(_I.deadline_at > _p("b_after_at"),
                  sa.and_(_I.deadline_at == _p("b_after_at"), _I.id > _p("b_after_id"))))
    .order_by(_I.deadline_at, _I.id).limit(_p("b_limit")),
    # keyset pages: the row value ``(col, id) > (after)`` is a range on the index's two
    # columns, so a page starts at ``after`` even among many equal times (``col > at OR
    # (col = at AND id > after_id)`` is a filter over every row before the page).
    # ``due_between_after`` is for an ``after`` past ``start``, which then bounds it alone.
    "reminders_due": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.remind_at <= _p("b_now"), _I.deadline_at > _p("b_now"))
    .order_by(_I.remind_at, _I.id).limit(_p("b_limit")),
    "reminders_due_after": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.remind_at <= _p("b_now"), _I.deadline_at > _p("b_now"),
           sa.tuple_(_I.remind_at, _I.id) > sa.tuple_(_p("b_after_at"), _p("b_after_id")))
    .order_by(_I.remind_at, _I.id).limit(_p("b_limit")),
    "due_between": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.deadline_at > _p("b_start"), _I.deadline_at <= _p("b_end"))
    .order_by(_I.deadline_at, _I.id).limit(_p("b_limit")),
    "due_between_after": sa.select(instances_table)
    .where(_I.terminal.is_(False), _I.deadline_at <= _p("b_end"),
           sa.tuple_(_I.deadline_at, _I.id) > sa.tuple_(_p("b_after_at"), _p("b_after_id")))
    .order_by(_I.deadline_at, _I.id).limit(_p("b_limit")),
    "rules_source": sa.select(rules_table.c.source)
    .where(rules_table.c.content_hash == _p("b_hash")),
    "insert_rules": rules_table.insert().values(
        content_hash=_p("content_hash"), version=_p("version"), source=_p("source")),
    "insert_org": organizations_table.insert().values({c: _p(c) for c in ORG_COLS}),
    "delete_org": organizations_table.delete().where(_O.id == _p("b_id")),
    "get_org": sa.select(organizations_table).where(_O.id == _p("b_id")),
    "orgs": sa.select(organizations_table).where(_O.id > _p("b_after_id"))
    .order_by(_O.id).limit(_p("b_limit")),
    "insert_org_audit": org_audit_table.insert().values({c: _p(c) for c in ORG_AUDIT_COLS}),
    "org_head": sa.select(org_audit_table).order_by(_T.seq.desc()).limit(1),
    "org_record": sa.select(org_audit_table).where(_T.seq == _p("b_seq")),
    "org_history": sa.select(org_audit_table).where(_T.seq > _p("b_after_seq"))
    .order_by(_T.seq).limit(_p("b_limit")),
    # bulk organization imports (``SqlStore.put_organizations``, executemany / COPY)
    "update_org": organizations_table.update().where(_O.id == _p("b_id"))
    .values({c: _p(c) for c in ORG_COLS if c != "id"}),
    # one open instance responsible at one of the ids (a JSON array; PostgreSQL: an array)
    "open_instance_at": sa.select(_I.org, _I.id)
    .where(_I.terminal.is_(False), _I.org.in_(
        sa.select(sa.column("value")).select_from(sa.func.json_each(_p("b_ids")))))
    .order_by(_I.org, _I.id).limit(1),
    "audit_hash": sa.select(_A.hash).where(_A.instance_id == _p("b_id"), _A.seq == _p("b_seq")),
    "instance_count": sa.select(sa.func.count()).select_from(instances_table),
    "insert_party": parties_table.insert().values(
        instance_id=_p("b_id"), party=_p("b_party"), value=_p("b_value")),
    "delete_party": parties_table.delete().where(_P.instance_id == _p("b_id"),
                                                 _P.party == _p("b_party")),
}


_MAX_DEPTH = 64  # a responsibility chain longer than this is a corrupted hierarchy


def _lineage_query() -> Any:
    """An organization and each superior, bottom up: one recursive query."""
    up = sa.select(*organizations_table.c, sa.literal_column("0").label("depth")) \
        .where(_O.id == _p("b_id")).cte("up", recursive=True)
    o = organizations_table.alias("o")
    up = up.union_all(sa.select(*o.c, (up.c.depth + 1).label("depth"))
                      .where(o.c.id == up.c.parent, up.c.depth < _MAX_DEPTH))
    return sa.select(*[up.c[c] for c in ORG_COLS]).order_by(up.c.depth)


def _subtree(root: str = "b_id", name: str = "down") -> Any:
    """The ids of the organization ``root`` names and everything below it (UNION: ends even
    on a cycle)."""
    down = sa.select(_O.id).where(_O.id == _p(root)).cte(name, recursive=True)
    o = organizations_table.alias("o")
    return down.union(sa.select(o.c.id).where(o.c.parent == down.c.id))


def _in_subtree() -> Any:
    """``org IN (the subtree)``: written as IN, not as a join, so that SQLite walks the
    subtree and looks each organization's instances up by ``ix_pf_instances_org`` (with a join
    its planner scans every instance and probes the subtree: 0.9 s for one community among
    1,000,000 instances, against 1 ms); PostgreSQL plans both alike."""
    return _I.org.in_(sa.select(_subtree().c.id))


def _report_query(procedure: bool) -> Any:
    """Open / overdue / escalated counts by procedure and state within a subtree, grouped by
    the database (reads the subtree's organizations and their open instances only)."""
    overdue = sa.case((sa.or_(_I.overdue_since.is_not(None), sa.and_(
        _I.deadline_at.is_not(None), _I.deadline_at <= _p("b_now"))), 1), else_=0)
    escalated = sa.case((_I.escalation > 0, 1), else_=0)
    query = sa.select(_I.procedure, _I.state, sa.func.count(), sa.func.sum(overdue),
                      sa.func.sum(escalated)) \
        .where(_in_subtree(), _I.terminal.is_(False))
    if procedure:
        query = query.where(_I.procedure == _p("b_procedure"))
    return query.group_by(_I.procedure, _I.state).order_by(_I.procedure, _I.state)


STATEMENTS.update({
    "lineage": _lineage_query(),
    "subtree": sa.select(_subtree().c.id),
    "report_0": _report_query(False),
    "report_1": _report_query(True),
})


def find_query(*, org: bool, procedure: bool, state: bool, open_only: bool, overdue: bool,
               due: bool, named_org: bool = False, named_person: bool = False,
               count: bool = False) -> Any:
    """A page of instances by id for ``Store.find`` (with ``count``: how many there are, for
    ``Store.count``): only the filters asked for are in the statement (one compiled statement
    per combination), the subtree selected as in the report."""
    query = sa.select(sa.func.count()).select_from(instances_table) if count \
        else sa.select(instances_table)
    conditions = [] if count else [_I.id > _p("b_after_id")]
    if org:
        conditions.append(_in_subtree())
    if procedure:
        conditions.append(_I.procedure == _p("b_procedure"))
    if state:
        conditions.append(_I.state == _p("b_state"))
    if open_only:
        conditions.append(_I.terminal.is_(False))
    if overdue:
        conditions.append(sa.or_(_I.overdue_since.is_not(None), sa.and_(
            _I.deadline_at.is_not(None), _I.deadline_at <= _p("b_now"))))
    if due:
        conditions.append(sa.and_(_I.deadline_at.is_not(None), _I.deadline_at <= _p("b_end")))
    if named_org:  # the party index: instances naming an organization of the subtree
        conditions.append(_I.id.in_(sa.select(_P.instance_id).where(
            _P.party == _p("b_party"),
            _P.value.in_(sa.select(_subtree("b_party_org", "named").c.id)))))
    if named_person:
        conditions.append(_I.id.in_(sa.select(_P.instance_id).where(
            _P.party == _p("b_person_key"), _P.value == _p("b_person"))))
    if count:
        return query.where(*conditions)
    return query.where(*conditions).order_by(_I.id).limit(_p("b_limit"))


_E = events_table.c


def events_query(postgres: bool) -> Any:
    """A page of the outbox after a cursor, each event with its audit record. PostgreSQL:
    only transactions older than every running one, in ``(txid, event_id)`` order, so a slow
    transaction's event is never passed over; SQLite: ``event_id`` is commit order."""
    query = sa.select(_E.event_id, _E.txid, audit_table).select_from(events_table.join(
        audit_table, sa.and_(_A.instance_id == _E.instance_id, _A.seq == _E.seq)))
    if postgres:
        settled: Any = sa.literal_column(
            "(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        return query.where(sa.tuple_(_E.txid, _E.event_id) > sa.tuple_(
            _p("b_txid"), _p("b_event_id")), _E.txid < settled) \
            .order_by(_E.txid, _E.event_id).limit(_p("b_limit"))
    return query.where(_E.event_id > _p("b_event_id")).order_by(_E.event_id) \
        .limit(_p("b_limit"))


def _audit_params() -> list[Any]:
    """The audit columns as typed parameters named ``a_<column>`` (apart from the instance's)."""
    return [sa.bindparam(f"a_{c}", type_=audit_table.c[c].type) for c in AUDIT_COLS]


# PostgreSQL: a step is one statement (one network round trip) instead of BEGIN, UPDATE,
# INSERT, COMMIT. The audit row is inserted only if the versioned UPDATE matched.
PG_STATEMENTS: dict[str, Any] = {
    # the hierarchy's trail takes one writer at a time (its head is read, then appended to)
    "org_trail_lock": sa.select(sa.func.pg_advisory_xact_lock(_p("b_key"))),
    "open_instance_at": sa.select(_I.org, _I.id)
    .where(_I.terminal.is_(False), _I.org == sa.func.any(_p("b_ids")))
    .order_by(_I.org, _I.id).limit(1),
    "step": audit_table.insert().from_select(
        AUDIT_COLS,
        sa.select(*_audit_params()).select_from(
            STATEMENTS["update"].returning(_I.id).cte("u")),
    ),
    "create": audit_table.insert().from_select(
        AUDIT_COLS,
        sa.select(*_audit_params()).select_from(
            instances_table.insert().values(
                {c: sa.bindparam(c, type_=instances_table.c[c].type) for c in INSTANCE_COLS}
            ).returning(_I.id).cte("i")),
    ),
}


def _copy_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL type a binary COPY sends a column's values as."""
    if isinstance(column.type, UtcDateTime):
        return "timestamptz"
    if isinstance(column.type, sa.BigInteger):
        return "int8"
    if isinstance(column.type, sa.Integer):
        return "int4"
    if isinstance(column.type, sa.String):  # VARCHAR and TEXT: the same binary form
        return "text"
    raise TypeError(f"no COPY type for {column.name}: {column.type}")


def copy_statement(table: sa.Table) -> tuple[str, tuple[str, ...]]:
    """PostgreSQL's binary ``COPY table (every column) FROM STDIN`` and the columns' types
    (bulk organization imports: measured here 2-3x faster than the text format)."""
    columns = ", ".join(c.name for c in table.columns)
    return (f"COPY {table.name} ({columns}) FROM STDIN (FORMAT BINARY)",
            tuple(_copy_type(c) for c in table.columns))


PG_COPY = {"orgs": copy_statement(organizations_table),
           "org_audit": copy_statement(org_audit_table)}
"""The COPY statements of a bulk organization import, by what they write."""


def _instances_query(procedure: bool, open_only: bool) -> Any:
    query = sa.select(instances_table).where(_I.id > _p("b_after_id"))
    if procedure:
        query = query.where(_I.procedure == _p("b_procedure"))
    if open_only:
        query = query.where(_I.terminal.is_(False))
    return query.order_by(_I.id).limit(_p("b_limit"))


for _proc in (False, True):
    for _open in (False, True):
        STATEMENTS[f"instances_{int(_proc)}{int(_open)}"] = _instances_query(_proc, _open)


def _groups_query(procedure: bool) -> Any:
    """Open instances counted by procedure, rules hash and version, and state (one GROUP BY),
    with how many have an estimated deadline."""
    estimated = sa.func.sum(sa.case((_I.deadline_estimated.is_(True), 1), else_=0))
    query = sa.select(_I.procedure, _I.rules_hash, _I.rules_version, _I.state,
                      sa.func.count(), estimated).where(_I.terminal.is_(False))
    if procedure:
        query = query.where(_I.procedure == _p("b_procedure"))
    keys = (_I.procedure, _I.rules_hash, _I.rules_version, _I.state)
    return query.group_by(*keys).order_by(*keys)


def _group_query(columns: Any) -> Any:
    """A keyset page of one group's open instances by id: a range of
    ``ix_pf_instances_group`` (procedure, state, rules hash, id); the version filters it."""
    return sa.select(*columns).where(
        _I.procedure == _p("b_procedure"), _I.state == _p("b_state"),
        _I.rules_hash == _p("b_hash"), _I.rules_version == _p("b_version"),
        _I.terminal.is_(False), _I.id > _p("b_after_id")).order_by(_I.id).limit(_p("b_limit"))


STATEMENTS.update({
    "groups_0": _groups_query(False),
    "groups_1": _groups_query(True),
    "group_ids": _group_query([_I.id]),
    "group_page": _group_query(instances_table.c),
})
