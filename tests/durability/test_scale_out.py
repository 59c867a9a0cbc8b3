"""Two production servers on one PostgreSQL database behave as one: what a load balancer in front
of several app servers needs. Nothing a request relies on may live in one server's memory:
sessions, versions, the autosave sequence of each browser tab and the history are all in the
database, and each write locks its plan row, so the check and the write cannot interleave
between servers either.

SQLite serves one machine only: these tests run when DATABASE_URL points to PostgreSQL (CI's
PostgreSQL pass) and are deselected otherwise (the `postgres` mark, tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import (
    Client,
    Database,
    Servers,
    assert_history_chain,
    demo_database,
)

ITEM = "competences"  # a text item of the demo plan
OTHER_ITEM = "scale_up"
RECORDS_OF = "actors"


pytestmark = pytest.mark.postgres


def _answer(state: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(a for a in state["answers"] if a["item_id"] == item_id)


def _history(state: dict[str, Any], item_id: str, uid: str = "") -> list[dict[str, Any]]:
    mine = [r for r in state["revisions"] if r["item_id"] == item_id and r["record_uid"] == uid]
    return sorted(mine, key=lambda r: r["version"])


def test_two_servers_share_sessions_versions_and_history(
    postgres_database: Database, servers: Servers
):
    state = demo_database(postgres_database)
    plan = state["plans"][0]
    a, b = servers.start_together(postgres_database, 2)
    on_a = Client(a.url)
    on_a.login("demo@example.org")
    on_b = on_a.on(b)  # the same browser: its session cookie, sent to the other server

    # A session opened on A is valid on B; without it, B sends the browser to log in.
    assert on_b.request(f"/plans/{plan}/").status == 200
    assert Client(b.url).request(f"/plans/{plan}/").status == 302

    # An item edited through A, then through B from the version both tabs had: B is refused
    # and shown A's value; keeping B's version (sending it again on A's version) succeeds.
    item = f"/plans/{plan}/items/{ITEM}/"
    start = _answer(state, ITEM)["version"]
    saved = on_a.autosave(item, {"text": "Version de A", "version": start, "client": "tab-a"})
    assert (saved.status, saved.json()["version"]) == (200, start + 1)
    stale = on_b.autosave(item, {"text": "Version de B", "version": start, "client": "tab-b"})
    assert stale.status == 409
    assert stale.json()["conflict"]["version"] == start + 1
    assert "Version de A" in stale.json()["html"]
    kept = on_b.autosave(item, {"text": "Version de B", "version": start + 1, "client": "tab-b"})
    assert (kept.status, kept.json()["version"]) == (200, start + 2)
    assert "Version de B" in on_a.request(item).text  # A reads what B wrote

    # A record edited through B, then through A from the older version: A is refused, shown B's.
    record = next(r for r in state["records"] if r["item_id"] == RECORDS_OF)
    path = f"/plans/{plan}/records/{record['uid']}/"
    fields = {"type": "", "contact": "", "description": ""}
    by_b = on_b.autosave(
        path, {**fields, "name": "Acteur par B", "version": record["version"], "client": "tab-b"}
    )
    assert (by_b.status, by_b.json()["version"]) == (200, record["version"] + 1)
    by_a = on_a.autosave(
        path, {**fields, "name": "Acteur par A", "version": record["version"], "client": "tab-a"}
    )
    assert by_a.status == 409
    assert by_a.json()["conflict"]["version"] == record["version"] + 1
    assert "Acteur par B" in by_a.json()["html"]
    kept = on_a.autosave(
        path,
        {**fields, "name": "Acteur par A", "version": record["version"] + 1, "client": "tab-a"},
    )
    assert (kept.status, kept.json()["version"]) == (200, record["version"] + 2)

    # One tab's autosaves, spread over both servers: a late, older one is ignored wherever it
    # lands; the tab's next save is accepted even on a version whose answer it never received;
    # another tab on that version is refused.
    other = f"/plans/{plan}/items/{OTHER_ITEM}/"
    base = _answer(state, OTHER_ITEM)["version"]
    newest = on_a.autosave(other, {"text": "La plus récente", "client": "tab-c", "seq": 10})
    assert (newest.status, newest.json()["ignored"]) == (200, False)
    late = on_b.autosave(other, {"text": "Plus ancienne", "client": "tab-c", "seq": 9})
    assert (late.status, late.json()["ignored"], late.json()["version"]) == (200, True, base + 1)
    next_one = on_b.autosave(
        other, {"text": "Suite", "version": base, "client": "tab-c", "seq": 11}
    )
    assert (next_one.status, next_one.json()["version"]) == (200, base + 2)
    refused = on_a.autosave(other, {"text": "Autre onglet", "version": base, "client": "tab-d"})
    assert refused.status == 409

    # Every accepted change, and only those, is a revision, and each history is a chain.
    state = postgres_database.state()
    answer = _answer(state, ITEM)
    history = _history(state, ITEM)
    assert answer["value"] == "Version de B"
    assert [r["after"] for r in history[-2:]] == ["Version de A", "Version de B"]
    assert_history_chain(history, answer["version"])

    stored = next(r for r in state["records"] if r["uid"] == record["uid"])
    history = _history(state, RECORDS_OF, record["uid"])
    assert stored["data"]["name"] == "Acteur par A"
    assert [r["after"]["name"] for r in history[-2:]] == ["Acteur par B", "Acteur par A"]
    assert_history_chain(history, stored["version"])

    answer = _answer(state, OTHER_ITEM)
    history = _history(state, OTHER_ITEM)
    assert (answer["value"], answer["last_client"], answer["last_seq"]) == ("Suite", "tab-c", 11)
    assert [r["after"] for r in history[-2:]] == ["La plus récente", "Suite"]
    assert_history_chain(history, answer["version"])
    for answer in state["answers"]:
        assert len(_history(state, answer["item_id"])) == answer["version"]
