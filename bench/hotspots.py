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
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

from .load import STEP  # the step page of the load runs

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


def timed(
    call: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None
) -> list[float]:
    """Milliseconds of each of `repeat` calls; `before` (an edit) runs ahead of each, untimed."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def profile(
    call: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None
) -> dict[str, Any]:
    """Time `call` without the profiler, then profile it: ms per request, self time per area,
    the costliest functions of Jalon's own code (cumulative) and of the whole stack (self).
    `before` runs ahead of each call, outside the timing and the profiler (an edit, so that
    each call is the first request after it)."""
    for _ in range(10):  # templates compiled, definition loaded, connection open
        if before is not None:
            before()
        call()
    times = timed(call, repeat, before)
    ms = sum(times) / repeat

    profiler = cProfile.Profile()
    for _ in range(repeat):
        if before is not None:
            before()
        profiler.enable()
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
        "median_ms": round(statistics.median(times), 2),
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


STEPS = ("1", "2", "3", "4", "5", "6")


def main(plan_id: int, repeat: int = 100, step_repeat: int = 30) -> dict[str, Any]:
    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jalon.accounts.models import User
    from jalon.plans.demo import DEMO_USER
    from jalon.plans.models import Plan

    from .edits import colleague, counting_cache, edit_step

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=DEMO_USER["email"]))
    plan = Plan.objects.get(pk=plan_id)
    other = colleague()
    save_url = f"/plans/{plan_id}/items/competences/"
    overview_url = f"/plans/{plan_id}/"
    counter = iter(range(10**9))

    # After each request, what Django does at the end of a real one and the test client skips:
    # close the database connection unless CONN_MAX_AGE keeps it. Closing the last connection to
    # a SQLite database in WAL mode checkpoints the WAL, a cost production pays too.
    def page(url: str) -> Callable[[], None]:
        def get() -> None:
            _expect_ok(client.get(url))
            close_old_connections()

        return get

    def save() -> None:
        answer = client.post(
            save_url, {"text": f"profile {next(counter)}"}, headers={"X-Jalon-Autosave": "1"}
        )
        _expect_ok(answer)
        close_old_connections()

    def edit(step_id: str) -> Callable[[], None]:
        def colleague_saves() -> None:
            edit_step(plan, other, step_id)
            close_old_connections()

        return colleague_saves

    def one(call: Callable[[], None], before: Callable[[], None] | None = None) -> dict[str, int]:
        """Queries and cache calls of one request (after `before`, when given)."""
        call()  # warm: templates compiled, definition loaded
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as queries, counting_cache() as use:
            call()
        return {"queries": len(queries), "cache_reads": use.reads, "cache_writes": use.writes}

    step_page = page(f"/plans/{plan_id}/steps/{STEP}/")
    overview = page(overview_url)
    results: dict[str, Any] = {"step_id": STEP}
    # Warm: every fragment of the page in the cache, nothing written meanwhile.
    for name, call in (("step", step_page), ("autosave", save), ("overview", overview)):
        counted = one(call)
        results[name] = {
            "queries_per_request": counted["queries"],
            "cache_writes_per_request": counted["cache_writes"],
            **profile(call, repeat),
        }
    # Right after an edit: a colleague saves an item of the page's step (the overview: of step
    # 2) before each request, untimed; each request is the first to see the plan as it is now.
    after: dict[str, Any] = {}
    for name, call, step_id in (("step", step_page, STEP), ("overview", overview, "2")):
        counted = one(call, edit(step_id))
        after[name] = {
            "queries_per_request": counted["queries"],
            "cache_writes_per_request": counted["cache_writes"],
            **profile(call, repeat, before=edit(step_id)),
        }
    results["after_edit"] = after
    # Every step page, warm and right after a save to one of its own items (median ms).
    steps: dict[str, Any] = {}
    for step_id in STEPS:
        call = page(f"/plans/{plan_id}/steps/{step_id}/")
        for _ in range(5):
            call()
        warm = timed(call, step_repeat)
        cold = timed(call, step_repeat, before=edit(step_id))
        steps[step_id] = {
            "edited_item": edit_step(plan, other, step_id),
            "warm_median_ms": round(statistics.median(warm), 2),
            "after_edit_median_ms": round(statistics.median(cold), 2),
            "warm": one(call),
            "after_edit": one(call, edit(step_id)),
        }
    results["steps"] = steps
    return results


def _sizes() -> dict[str, int]:
    """Fewer requests in quick mode (BENCH_QUICK=1), to try the benchmark out."""
    return {"repeat": 20, "step_repeat": 5} if os.environ.get("BENCH_QUICK") == "1" else {}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), **_sizes()), indent=1))
