"""A production server killed in the middle of a burst of autosaves loses none it acknowledged.

Several logged-in browsers save different items and records as fast as the server answers; the
server (gunicorn master and workers) is killed with SIGKILL while saves are in flight, then started
again on the same database. Every save answered 2xx before the kill must be there, with its
revision, and the database must be whole.

Why this holds on SQLite with `synchronous=NORMAL` (jalon/settings.py): in WAL mode a commit is
written to the WAL file before the server answers. It then sits in the operating system's cache,
which a killed process does not take with it, and the next connection replays the WAL. What NORMAL
gives up is the fsync at each commit: a power cut or an operating-system crash may lose the last
commits before it (never the database's integrity). A process kill is not a power loss; this test
is the process kill. On PostgreSQL the server process is not the database, and a commit is
flushed before it returns (synchronous_commit on, the default).
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .conftest import (
    DEMO_USERS,
    Client,
    Database,
    Servers,
    assert_history_chain,
    demo_database,
)

BURST_SECONDS = 30  # an upper bound: the server is killed long before
SAVES_BEFORE_KILL = 5  # each browser has this many saves acknowledged when the kill comes
TEXT_ITEMS = ("competences", "informal_place", "scale_up", "baseline_data")
RECORDS_OF = "actors"
BROWSERS = 3


@dataclass(frozen=True)
class Target:
    """What one browser keeps saving: a text item, or one record of a list."""

    plan: int
    item_id: str
    record_uid: str = ""

    @property
    def path(self) -> str:
        if self.record_uid:
            return f"/plans/{self.plan}/records/{self.record_uid}/"
        return f"/plans/{self.plan}/items/{self.item_id}/"

    def fields(self, value: str) -> dict[str, str]:
        if self.record_uid:
            return {"name": value, "type": "", "contact": "", "description": ""}
        return {"text": value}

    def value_of(self, stored: Any) -> Any:
        """The part of a stored answer or record that this test writes."""
        return stored["name"] if self.record_uid and stored else stored

    def stored(self, state: dict[str, Any]) -> tuple[Any, int]:
        if self.record_uid:
            row = next(r for r in state["records"] if r["uid"] == self.record_uid)
            return self.value_of(row["data"]), row["version"]
        row = next(a for a in state["answers"] if a["item_id"] == self.item_id)
        return row["value"], row["version"]

    def revisions(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        mine = [
            r
            for r in state["revisions"]
            if r["plan_id"] == self.plan
            and r["item_id"] == self.item_id
            and r["record_uid"] == self.record_uid
        ]
        return sorted(mine, key=lambda r: r["version"])


@dataclass
class Burst:
    """One browser saving one target again and again, each time a new value."""

    target: Target
    client: Client
    acknowledged: list[tuple[str, int]] = field(default_factory=list)  # (value, version)
    in_flight: str | None = None  # sent, and no answer came back: its fate is unknown
    refused: list[str] = field(default_factory=list)

    def run(self, stop: threading.Event, killing: threading.Event) -> None:
        deadline = time.monotonic() + BURST_SECONDS
        seq = 0
        while not stop.is_set() and time.monotonic() < deadline:
            seq += 1
            value = f"{self.target.record_uid or self.target.item_id} n°{seq}"
            self.in_flight = value
            fields = {**self.target.fields(value), "client": f"burst-{id(self)}", "seq": seq}
            try:
                response = self.client.autosave(self.target.path, fields)
            except (OSError, http.client.HTTPException) as error:
                if not killing.is_set():  # a failure, not the kill
                    self.refused.append(f"no answer: {error!r}")
                return
            body = response.json() if response.status == 200 else {}
            if not body.get("ok") or body.get("ignored"):
                self.refused.append(f"{response.status} {response.body[:300]!r}")
                return
            self.acknowledged.append((value, body["version"]))
            self.in_flight = None


def _start_bursts(plan: int, state: dict[str, Any], url: str) -> list[Burst]:
    """Three logged-in browsers, each with two tabs; each tab saves its own target."""
    actors = [r["uid"] for r in state["records"] if r["item_id"] == RECORDS_OF][:2]
    targets = [Target(plan, item) for item in TEXT_ITEMS]
    targets += [Target(plan, RECORDS_OF, uid) for uid in actors]
    browsers = [Client(url) for _ in range(BROWSERS)]
    # Log in concurrently: each login hashes a password on the server (a fraction of a second).
    logins = [
        threading.Thread(target=browser.login, args=(DEMO_USERS[i % 2],))
        for i, browser in enumerate(browsers)
    ]
    for login in logins:
        login.start()
    for login in logins:
        login.join(timeout=60)
    for browser in browsers:
        assert browser.cookie("sessionid"), "a browser did not log in"
    return [
        Burst(target, Client(url, browsers[i % BROWSERS].cookies))
        for i, target in enumerate(targets)
    ]


def _wait_for_acknowledgements(bursts: list[Burst], at_least: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(len(b.acknowledged) >= at_least or b.refused for b in bursts):
            return
        time.sleep(0.005)


def test_acknowledged_autosaves_survive_a_server_kill(database: Database, servers: Servers):
    state = demo_database(database)
    plan = state["plans"][0]
    server = servers.start(database, workers=2)
    bursts = _start_bursts(plan, state, server.url)

    stop, killing = threading.Event(), threading.Event()
    threads = [threading.Thread(target=b.run, args=(stop, killing)) for b in bursts]
    for thread in threads:
        thread.start()
    try:
        _wait_for_acknowledgements(bursts, SAVES_BEFORE_KILL, BURST_SECONDS)
        killing.set()
        server.kill()  # in the middle of the burst: each browser has a save in flight
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert [b.refused for b in bursts] == [[]] * len(bursts), "saves failed before the kill"
    assert all(len(b.acknowledged) >= SAVES_BEFORE_KILL for b in bursts)

    restarted = servers.start(database, workers=2)
    # Sessions live in the database: the same browsers are still logged in after the restart.
    browser = bursts[0].client.on(restarted)
    assert browser.request(f"/plans/{plan}/").status == 200

    state = database.state()
    # The database is whole: the engine's own consistency check (SQLite's integrity_check,
    # PostgreSQL's amcheck on every index and table) and one orphan query per foreign key.
    assert state["integrity"] == ["ok"]
    assert state["orphans"] == {}
    assert state["foreign_key_violations"] == 0
    assert {"plans_answer.plan_id", "plans_record.plan_id", "plans_revision.plan_id"} <= set(
        state["checked"]["foreign_keys"]
    )
    if database.engine == "postgresql":
        assert state["checked"]["indexes"] > 0 and state["checked"]["tables"] > 0
    for burst in bursts:
        target = burst.target
        value, version = target.stored(state)
        revisions = target.revisions(state)
        written = {target.value_of(r["after"]): r["version"] for r in revisions}
        for acknowledged, acknowledged_version in burst.acknowledged:
            assert written.get(acknowledged) == acknowledged_version, (
                f"{target.path}: the acknowledged save {acknowledged!r} "
                f"(v{acknowledged_version}) is missing after the kill"
            )
        # What is stored is the last acknowledged save, or the one in flight at the kill.
        assert value in {burst.acknowledged[-1][0], burst.in_flight}
        assert_history_chain(revisions, version)

    # No half-written save anywhere: each version of each answer and record has its revision.
    changes = [r for r in state["revisions"] if r["action"] != "move"]
    for answer in state["answers"]:
        mine = [r for r in changes if r["item_id"] == answer["item_id"] and not r["record_uid"]]
        assert len(mine) == answer["version"], answer["item_id"]
    for record in state["records"]:
        assert len([r for r in changes if r["record_uid"] == record["uid"]]) == record["version"]

    # And the restarted server takes the next save from a browser of before the kill.
    target = bursts[0].target
    _value, stored_version = target.stored(state)
    after = browser.autosave(target.path, target.fields("after the restart"))
    assert after.status == 200
    assert after.json()["version"] == stored_version + 1

    kept = sum(len(b.acknowledged) for b in bursts)
    landed = sum(
        b.in_flight is not None and b.target.stored(state)[0] == b.in_flight for b in bursts
    )
    print(
        f"{database.engine}: {kept} saves acknowledged before the kill, all kept; "
        f"{landed} of {len(bursts)} in flight were committed"
    )
