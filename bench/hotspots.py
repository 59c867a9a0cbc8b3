"""Where a step page, an autosave and the plan overview spend their time: cProfile over Django's
test client, in one process, on the benchmark's database. `make bench` runs it and puts the
answer in the report, so that a missed goal comes with its likely reason.

    DJANGO_SETTINGS_MODULE=bench.settings JALON_DB_PATH=… python -m bench.hotspots PLAN_ID

prints JSON. The test client skips the network and gunicorn, so the milliseconds here are the
application's own cost per request: the floor below which no server setup can bring a page.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

BASE_DIR = Path(__file__).resolve().parent.parent

# What a function's file says about which part of the stack it belongs to; first match wins.
AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("Jalon: worksheets engine", ("/jalon/worksheets/",)),
    ("Jalon: plans (views, forms, selectors, services)", ("/jalon/plans/",)),
    ("Jalon: other", ("/jalon/",)),
    ("Django templates", ("/django/template/", "/django/templatetags/")),
    ("Database (ORM and driver)", ("/django/db/", "sqlite3", "/psycopg")),
    ("Translation (gettext)", ("/django/utils/translation/", "gettext.py")),
    (
        "Request handling (middleware, sessions, auth, CSRF)",
        ("/django/core/handlers/", "/django/middleware/", "/django/contrib/", "/django/http/"),
    ),
    ("Test client (not in production)", ("/django/test/",)),
    ("Django: other", ("/django/",)),
    ("YAML", ("/yaml/",)),
    ("Other libraries (asgiref…)", ("/site-packages/",)),
    ("Python built-ins and standard library", ("~", "/lib/python3")),
]

Key = tuple[str, int, str]


def area_of(key: Key) -> str:
    filename, _line, function = key
    if filename == "~" and ("sqlite3." in function or "psycopg" in function):
        return "Database (ORM and driver)"  # the driver's C methods: execute, commit, close
    for area, markers in AREAS:
        if any(m in filename for m in markers):
            return area
    return "Other"


def _label(key: Key) -> str:
    """`django/db/models/base.py:462 __init__`, or a built-in's name without its address."""
    filename, line, function = key
    if filename == "~":
        return re.sub(r" at 0x[0-9a-f]+", "", function)
    for root in ("/site-packages/", "/lib/python3"):
        if root in filename:
            filename = filename.split(root, 1)[1].lstrip("/.0123456789")
    if filename.startswith(str(BASE_DIR)):
        filename = filename[len(str(BASE_DIR)) + 1 :]
    return f"{filename}:{line} {function}"


def profile(call: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Time `call` without the profiler, then profile it: ms per request, self time per area,
    the costliest functions of Jalon's own code (cumulative) and of the whole stack (self)."""
    for _ in range(10):  # templates compiled, definition loaded, connection open
        call()
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    ms = (time.perf_counter() - start) * 1000 / repeat

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    table: dict[Key, tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values()) or 1.0
    areas: dict[str, float] = defaultdict(float)
    for key, row in table.items():
        areas[area_of(key)] += row[2]
    # The language middleware wraps every request: its cumulative time is the whole request.
    own = sorted(
        (
            (key, row)
            for key, row in table.items()
            if "/jalon/" in key[0] and not key[0].endswith("/jalon/middleware.py")
        ),
        key=lambda pair: pair[1][3],
        reverse=True,
    )
    by_self = sorted(table.items(), key=lambda pair: pair[1][2], reverse=True)
    return {
        "requests": repeat,
        "ms_per_request": round(ms, 2),
        "self_time_share": {
            area: round(seconds / total, 3)
            for area, seconds in sorted(areas.items(), key=lambda pair: -pair[1])
        },
        "jalon_cumulative_ms": [
            {"function": _label(key), "ms_per_request": round(row[3] * 1000 / repeat, 2)}
            for key, row in own[:12]
        ],
        "top_self_ms": [
            {
                "function": _label(key),
                "ms_per_request": round(row[2] * 1000 / repeat, 3),
                "calls_per_request": round(row[1] / repeat, 1),
            }
            for key, row in by_self[:12]
        ],
    }


def _expect_ok(response: Any) -> None:
    """A profile of an error page or a refused save would measure the wrong thing."""
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']}: HTTP {response.status_code}")


def main(plan_id: int, repeat: int = 100) -> dict[str, Any]:
    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jalon.accounts.models import User
    from jalon.plans.demo import DEMO_USER

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=DEMO_USER["email"]))
    step_url = f"/plans/{plan_id}/steps/4/"
    save_url = f"/plans/{plan_id}/items/competences/"
    overview_url = f"/plans/{plan_id}/"
    counter = iter(range(10**9))

    # After each request, what Django does at the end of a real one and the test client skips:
    # close the database connection unless CONN_MAX_AGE keeps it. Closing the last connection to
    # a SQLite database in WAL mode checkpoints the WAL, a cost production pays too.
    def step() -> None:
        _expect_ok(client.get(step_url))
        close_old_connections()

    def save() -> None:
        answer = client.post(
            save_url, {"text": f"profile {next(counter)}"}, headers={"X-Jalon-Autosave": "1"}
        )
        _expect_ok(answer)
        close_old_connections()

    def overview() -> None:
        _expect_ok(client.get(overview_url))
        close_old_connections()

    results: dict[str, Any] = {}
    for name, call in (("step", step), ("autosave", save), ("overview", overview)):
        with CaptureQueriesContext(connection) as queries:
            call()
        results[name] = {"queries_per_request": len(queries), **profile(call, repeat)}
    return results


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1])), indent=1))
