"""examples/service.py through FastAPI's test client: a host system starts, fires, reads and
follows instances over HTTP; partyflow's refusals arrive as HTTP statuses with zh/en text."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from urllib.parse import quote

import pytest

from partyflow import Engine, load_hierarchy, load_rules
from partyflow.testing import FakeClock

from .conftest import ROOT

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

BRANCH = {"X-Actor": quote("吴晓梅"), "X-Role": "sending_branch", "X-Org": "xingguang"}
STREET = {"X-Actor": "zhao.min", "X-Role": "sending_committee", "X-Org": "dongcheng-street"}
MEMBER = {"member_id": "li.hong", "member_kind": "full_member",
          "move_reason": "residence_changed", "stable_job": True, "fixed_residence": True,
          "employer_has_party_org": False, "destination_kind": "community",
          "sending_org": "xingguang", "receiving_org": "xinjie-north"}


@pytest.fixture
def client() -> TestClient:
    spec = importlib.util.spec_from_file_location("service", ROOT / "examples" / "service.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["service"] = module
    spec.loader.exec_module(module)
    rules = load_rules(ROOT / "config" / "rules.yaml")
    engine = Engine(rules, store="memory://",
                    clock=FakeClock(dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)))
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    return TestClient(module.build(engine))


def test_a_host_drives_a_transfer_over_http(client: TestClient) -> None:
    made = client.post("/instances", json={"procedure": "member_transfer", "data": MEMBER},
                       headers=BRANCH)
    assert made.status_code == 201, made.text
    iid = made.json()["id"]
    step = client.post(f"/instances/{iid}/steps", json={"trigger": "submit"}, headers=BRANCH)
    assert step.json()["state"] == "out_review"
    [todo] = client.get("/inbox", headers=STREET).json()
    assert todo["id"] == iid and set(todo["triggers"]) == {"issue_letter", "reject"}
    letter = client.post(f"/instances/{iid}/steps", headers=STREET, json={
        "trigger": "issue_letter", "data": {"letter_number": "2026-17"},
        "idempotency_key": "letter-1"})
    assert letter.json()["state"] == "letter_issued"
    again = client.post(f"/instances/{iid}/steps", headers=STREET, json={
        "trigger": "issue_letter", "data": {"letter_number": "2026-17"},
        "idempotency_key": "letter-1"})
    assert again.status_code == 200 and again.json()["version"] == 3  # a retry, once
    assert client.get(f"/instances/{iid}").json()["data"]["letter_number"] == "2026-17"
    history = client.get(f"/instances/{iid}/history").json()
    assert [r["trigger"] for r in history] == ["start", "submit", "issue_letter"]
    events = client.get("/events").json()
    assert [e["trigger"] for e in events] == ["start", "submit", "issue_letter"]
    assert client.get("/events", params={"after": events[-1]["cursor"]}).json() == []


@pytest.mark.parametrize(("path", "body", "headers", "status", "error"), [
    ("/instances", {"procedure": "member_transfr", "data": {}}, BRANCH, 404,
     "UnknownProcedure"),
    ("/instances/nope/steps", {"trigger": "submit"}, BRANCH, 404, "InstanceNotFound"),
    ("/instances", {"procedure": "member_transfer", "data": {"member_kind": "x"}}, BRANCH,
     422, "InvalidEventData"),
    ("/instances", {"procedure": "member_transfer", "data": MEMBER},
     {**BRANCH, "X-Org": "xinjie-south"}, 403, "NotAuthorized"),
])
def test_refusals_are_http_statuses_with_both_languages(
        client: TestClient, path: str, body: dict[str, object], headers: dict[str, str],
        status: int, error: str) -> None:
    got = client.post(path, json=body, headers=headers)
    assert got.status_code == status, got.text
    assert got.json()["error"] == error and got.json()["zh"] and got.json()["en"]


def test_who_acts_is_required(client: TestClient) -> None:
    assert client.post("/instances", json={"procedure": "member_transfer"}).status_code == 422
