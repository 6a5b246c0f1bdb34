"""A small HTTP service over partyflow for a host system (``pip install 'partyflow[service]'``).

    PARTYFLOW_STORE=sqlite:///partyflow.db uvicorn --factory examples.service:create_app

The host authenticates people upstream and passes who acts in three headers: ``X-Actor``
(the person's id in the host's directory), ``X-Role`` (a role of the rules file) and
``X-Org`` (the organization they act for, if any), each percent-encoded UTF-8 (HTTP headers
are ASCII: ``吴晓梅`` is sent as ``%E5%90%B4%E6%99%93%E6%A2%85``). partyflow decides whether that actor may
take the step; its typed errors become HTTP statuses with the zh/en message.

    POST /instances                    {"procedure": …, "data": {…}}       start
    POST /instances/{id}/steps         {"trigger": …, "data": {…}, "idempotency_key": …}
    GET  /instances/{id}                                                    state, data, deadline
    GET  /instances/{id}/history                                            the audit records
    GET  /inbox?due_within=P3D                                              what this actor may do
    GET  /events?after=CURSOR                                               the outbox
"""

# no `from __future__ import annotations`: FastAPI reads the request models from the
# annotations of the handlers, which are defined inside build()
import datetime as dt
import os
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from partyflow import (
    Actor,
    AuditRecord,
    ConcurrentUpdate,
    ConditionFailed,
    Engine,
    IdempotencyConflict,
    Instance,
    InstanceNotFound,
    InvalidEventData,
    InvalidTrigger,
    NotAuthorized,
    PartyflowError,
    UnknownProcedure,
    load_rules,
)

_STATUS: list[tuple[type[PartyflowError], int]] = [
    (InstanceNotFound, 404), (UnknownProcedure, 404), (NotAuthorized, 403),
    (ConcurrentUpdate, 409), (IdempotencyConflict, 409), (ConditionFailed, 422),
    (InvalidEventData, 422), (InvalidTrigger, 422),
]


def build(engine: Engine) -> FastAPI:
    """The service over ``engine`` (the tests pass one on a memory store)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        engine.close()

    app = FastAPI(title="partyflow", lifespan=lifespan)

    @app.exception_handler(PartyflowError)
    async def refused(_request: Request, exc: PartyflowError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
        return JSONResponse(status_code=status, content={
            "error": type(exc).__name__, "zh": exc.message("zh"), "en": exc.message("en")})

    def actor(x_actor: Annotated[str, Header()], x_role: Annotated[str, Header()],
              x_org: Annotated[str | None, Header()] = None) -> Actor:
        return Actor(unquote(x_actor), unquote(x_role), unquote(x_org) if x_org else None)

    Who = Annotated[Actor, Depends(actor)]

    class Start(BaseModel):
        procedure: str
        data: dict[str, Any] = Field(default_factory=dict)

    class Step(BaseModel):
        trigger: str
        data: dict[str, Any] = Field(default_factory=dict)
        idempotency_key: str | None = None

    @app.post("/instances", status_code=201)
    def start(body: Start, who: Who) -> dict[str, Any]:
        return _instance(engine.start(body.procedure, body.data, who))

    @app.post("/instances/{instance_id}/steps")
    def fire(instance_id: str, body: Step, who: Who) -> dict[str, Any]:
        return _instance(engine.fire(instance_id, body.trigger, who, body.data,
                                     idempotency_key=body.idempotency_key))

    @app.get("/instances/{instance_id}")
    def show(instance_id: str) -> dict[str, Any]:
        return _instance(engine.get(instance_id))

    @app.get("/instances/{instance_id}/history")
    def history(instance_id: str) -> list[dict[str, Any]]:
        return [_record(r) for r in engine.history(instance_id)]

    @app.get("/inbox")
    def inbox(who: Who, due_within: str = "P3D", limit: int = 100) -> list[dict[str, Any]]:
        return [{**_instance(i.instance), "triggers": list(i.triggers), "overdue": i.overdue,
                 "due_soon": i.due_soon} for i in engine.inbox(who, due_within=due_within,
                                                               limit=limit)]

    @app.get("/events")
    def events(after: str = "", limit: int = 100) -> list[dict[str, Any]]:
        return [{"cursor": e.cursor, **_record(e.record)}
                for e in engine.events(after, limit=limit)]

    return app


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _instance(inst: Instance) -> dict[str, Any]:
    return {"id": inst.id, "procedure": inst.procedure, "state": inst.state,
            "version": inst.version, "org": inst.org, "terminal": inst.terminal,
            "deadline_at": _text(inst.deadline_at), "data": dict(inst.data)}


def _record(r: AuditRecord) -> dict[str, Any]:
    return {"instance_id": r.instance_id, "seq": r.seq, "at": _text(r.at),
            "actor_id": r.actor_id, "actor_role": r.actor_role, "actor_org": r.actor_org,
            "trigger": r.trigger, "from_state": r.from_state, "to_state": r.to_state,
            "data": dict(r.data), "basis": r.basis}


def create_app() -> FastAPI:
    """The service on ``$PARTYFLOW_RULES`` (or ``config/rules.yaml``) and ``$PARTYFLOW_STORE``."""
    return build(Engine(load_rules(os.environ.get("PARTYFLOW_RULES", "config/rules.yaml")),
                        store=os.environ.get("PARTYFLOW_STORE", "sqlite:///partyflow.db")))
