"""Load measurements with wrk: requests per second, latency percentiles and errors per page.

wrk is a C load generator: on 2 cores a Python load generator would spend the CPU the server
needs and measure itself. bench/load.lua checks every response and prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import cpu
from .client import Client

SCRIPT = Path(__file__).with_name("load.lua")
CONCURRENCY = (1, 8, 32)
MIXED_CONCURRENCY = 8  # GUIDE §6: readers at 8 connections while a colleague saves
SAVES_PER_SECOND = 10.0
# The step page of every load run: step 2 is the longest, and holds « competences », the item
# the autosave runs and the colleague of the mixed load write to.
STEP = "2"
SAVED_ITEM = "competences"


@dataclass(frozen=True)
class Scenario:
    name: str  # a key in results.json
    title: str  # for people
    path: str
    autosave: bool = False


def scenarios(plan_id: int) -> list[Scenario]:
    """Warm: nothing is written to the plan while pages are read, so every page request after
    the first in each worker is a fragment-cache hit."""
    return [
        Scenario("floor", "Floor: bare Django view", "/bench/floor/"),
        Scenario("step", f"Step page (step {STEP}), warm cache", step_path(plan_id)),
        Scenario("autosave", f"Autosave (item {SAVED_ITEM})", save_path(plan_id), autosave=True),
        Scenario("overview", "Plan overview, warm cache", f"/plans/{plan_id}/"),
    ]


def miss_scenarios(plan_id: int) -> list[Scenario]:
    """Served by a server whose cache never finds anything (`BENCH_CACHE=miss`): every request
    costs what the first one after an edit costs."""
    return [
        Scenario("floor", "Floor: bare Django view", "/bench/floor/"),
        Scenario("step", f"Step page (step {STEP}), every request a miss", step_path(plan_id)),
        Scenario("overview", "Plan overview, every request a miss", f"/plans/{plan_id}/"),
    ]


def mixed_scenarios(plan_id: int) -> list[Scenario]:
    """Readers at 8 connections while a colleague saves 10 times a second (the floor without
    a writer, measured just before, in the same run)."""
    return [
        Scenario("floor", "Floor: bare Django view", "/bench/floor/"),
        Scenario(
            "step",
            f"Step page (step {STEP}) while a colleague saves {SAVES_PER_SECOND:g}×/s",
            step_path(plan_id),
        ),
        Scenario(
            "overview",
            f"Plan overview while a colleague saves {SAVES_PER_SECOND:g}×/s",
            f"/plans/{plan_id}/",
        ),
    ]


def step_path(plan_id: int) -> str:
    return f"/plans/{plan_id}/steps/{STEP}/"


def save_path(plan_id: int) -> str:
    return f"/plans/{plan_id}/items/{SAVED_ITEM}/"


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when we are root, else says what to do."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("make bench needs wrk: run `sudo apt-get install wrk`, then again.")
    print("Installing wrk (Debian package)…", flush=True)
    # A fresh machine may have no package lists yet: update once, then try again.
    if not _apt("install", "-y", "--no-install-recommends", "wrk"):
        _apt("update")
        _apt("install", "-y", "--no-install-recommends", "wrk")
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("Could not install wrk with apt-get: install it, then run make bench.")
    return found


def _apt(*args: str) -> bool:
    done = subprocess.run(  # noqa: S603 — apt-get from PATH, fixed arguments
        ["apt-get", *args],  # noqa: S607
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode == 0


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    first = (done.stdout or done.stderr).splitlines()[0]
    return first.split(" Copyright")[0].strip()  # "wrk debian/4.1.0-3+b2 [epoll]"


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    ok: int  # 200 (and, for an autosave, "ok": true)
    errors: int  # socket errors + every response that was not ok
    socket_errors: dict[str, int]
    counts: dict[str, int]
    # Autosave only: how many saves the server really wrote (the item's version went up by
    # that much), and how many answered ok but wrote nothing.
    written: int | None = None
    failed_saves: int | None = None
    # Share of the machine's CPU that other processes took during the run (see bench/cpu.py).
    others_cpu: float | None = None
    # Mixed load only: what the colleague saving meanwhile saw (Writer.result()).
    writer: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_wrk(
    wrk: str,
    client: Client,
    scenario: Scenario,
    *,
    concurrency: int,
    seconds: float,
    csrf: str,
    group: int | None = None,
    postgres: bool = False,
) -> LoadResult:
    """One wrk run: two threads (one per core), `concurrency` connections kept busy. `group` is
    gunicorn's process group, to tell its CPU time from other processes'; `postgres` says that
    PostgreSQL's CPU time is the server's too."""
    env = {
        **os.environ,
        "BENCH_PATH": scenario.path,
        "BENCH_COOKIE": client.cookie_header(),
        "BENCH_TAG": f"c{concurrency}-{time.time_ns()}",
    }
    if scenario.autosave:
        env["BENCH_CSRF"] = csrf
    command = [
        wrk,
        f"--threads={min(2, concurrency)}",
        f"--connections={concurrency}",
        f"--duration={seconds:g}s",
        "--timeout=5s",
        f"--script={SCRIPT}",
        f"http://{client.host}:{client.port}{scenario.path}",
    ]
    before = cpu.sample(group)
    done = subprocess.run(  # noqa: S603 — wrk found on PATH, fixed arguments
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    others = cpu.others_share(before, cpu.sample(group), postgres_is_ours=postgres)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    latency = raw["latency_us"]
    duration = raw["duration_us"] / 1e6
    counts: dict[str, int] = raw["counts"]
    socket_errors: dict[str, int] = raw["socket_errors"]
    not_ok = sum(v for k, v in counts.items() if k != "ok")
    return LoadResult(
        concurrency=concurrency,
        seconds=round(duration, 2),
        requests=raw["requests"],
        rps=round(raw["requests"] / duration, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        mean_ms=round(latency["mean"] / 1000, 3),
        ok=counts["ok"],
        errors=not_ok + sum(socket_errors.values()),
        socket_errors=socket_errors,
        counts=counts,
        others_cpu=others,
    )


def autosave_version(client: Client, scenario: Scenario, csrf: str) -> int:
    """Save once, outside wrk, and return the item's version: the difference between the
    version before and after a run is the number of saves the server really wrote."""
    answer = client.post_form(
        scenario.path,
        {"text": f"bench probe {time.time_ns()}"},
        headers={"X-CSRFToken": csrf, "X-Jalon-Autosave": "1"},
    )
    if answer.status != 200:
        raise RuntimeError(f"autosave probe: HTTP {answer.status}: {answer.text()[:300]}")
    version: int = json.loads(answer.text())["version"]
    return version


def measure(
    wrk: str,
    client: Client,
    scenario: Scenario,
    *,
    concurrency: int,
    seconds: float,
    csrf: str,
    group: int | None = None,
    postgres: bool = False,
) -> LoadResult:
    """One scenario at one concurrency; for an autosave, also counts the saves written."""
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "seconds": seconds,
        "csrf": csrf,
        "group": group,
        "postgres": postgres,
    }
    if not scenario.autosave:
        return run_wrk(wrk, client, scenario, **options)
    before = autosave_version(client, scenario, csrf)
    result = run_wrk(wrk, client, scenario, **options)
    after = autosave_version(client, scenario, csrf)
    written = after - before - 1  # the probe after the run wrote once
    # wrk stops with up to `concurrency` saves in flight: the server may have written those
    # without wrk counting their answers, so only fewer writes than ok answers is a failure.
    unwritten = max(0, result.ok - written)
    failed = (
        result.counts["conflict"]
        + result.counts["server_error"]
        + result.counts["bad_body"]
        + result.counts["client_error"]
        + result.counts["redirect"]
        + sum(result.socket_errors.values())
        + unwritten
    )
    return LoadResult(**{**result.as_dict(), "written": written, "failed_saves": failed})


def warm_up(
    wrk: str, client: Client, to_warm: list[Scenario], csrf: str, seconds: float = 2
) -> None:
    """A short run on every scenario before measuring: each worker imports, compiles templates
    and loads the worksheet definition on its first requests; that is not what we measure."""
    for scenario in to_warm:
        run_wrk(wrk, client, scenario, concurrency=8, seconds=seconds, csrf=csrf)


class Writer(threading.Thread):
    """A colleague saving one item `rate` times a second through HTTP, with a session of their
    own and its CSRF token, as the browser's autosave does, while wrk reads. Bounded in count
    (rate × seconds saves) and in time (it stops at the deadline, whatever is left).

    A save fails when it does not answer 200 with "ok": true, or when the item's version did not
    go up by one: nobody else writes to that item meanwhile, so each save must write once."""

    def __init__(self, client: Client, csrf: str, path: str, *, rate: float, seconds: float):
        super().__init__(name="bench-writer", daemon=True)
        self.client, self.csrf, self.path = client, csrf, path
        self.rate, self.seconds = rate, seconds
        self.attempted = 0
        self.written = 0
        self.failures: list[str] = []
        self.latencies_ms: list[float] = []
        self.elapsed = 0.0

    def run(self) -> None:
        start = time.monotonic()
        deadline = start + self.seconds
        version: int | None = None
        for n in range(int(self.rate * self.seconds)):
            due = start + n / self.rate
            if due >= deadline:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            self.attempted += 1
            sent = time.perf_counter()
            try:
                answer = self.client.post_form(
                    self.path,
                    {"text": f"collègue {n} {time.time_ns()}"},
                    headers={"X-CSRFToken": self.csrf, "X-Jalon-Autosave": "1"},
                )
                self.latencies_ms.append((time.perf_counter() - sent) * 1000)
                body = json.loads(answer.text()) if answer.status == 200 else {}
            except (OSError, ValueError) as error:
                self.failures.append(f"save {n}: {error}")
                continue
            if answer.status != 200 or body.get("ok") is not True:
                self.failures.append(f"save {n}: HTTP {answer.status} {answer.text()[:200]}")
                continue
            new = int(body["version"])
            if version is not None and new != version + 1:
                self.failures.append(f"save {n}: version {version} → {new}")
            else:
                self.written += 1
            version = new
        self.elapsed = time.monotonic() - start

    def result(self) -> dict[str, Any]:
        times = sorted(self.latencies_ms) or [0.0]
        return {
            "rate_asked": self.rate,
            "attempted": self.attempted,
            "written": self.written,
            "failed": self.attempted - self.written,
            "failures": self.failures[:5],
            "saves_per_second": round(self.attempted / self.elapsed, 2) if self.elapsed else 0.0,
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
            "max_ms": round(times[-1], 1),
        }


def measure_mixed(
    wrk: str,
    reader: Client,
    colleague: Client,
    scenario: Scenario,
    *,
    plan_id: int,
    concurrency: int,
    seconds: float,
    csrf: str,
    colleague_csrf: str,
    group: int | None = None,
    postgres: bool = False,
) -> LoadResult:
    """wrk reads `scenario` while a Writer saves; a floor scenario runs without the writer."""
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "seconds": seconds,
        "csrf": csrf,
        "group": group,
        "postgres": postgres,
    }
    if scenario.name == "floor":
        return run_wrk(wrk, reader, scenario, **options)
    writer = Writer(
        colleague, colleague_csrf, save_path(plan_id), rate=SAVES_PER_SECOND, seconds=seconds
    )
    writer.start()
    try:
        result = run_wrk(wrk, reader, scenario, **options)
    finally:
        writer.join(timeout=seconds + 30)
    if writer.is_alive():
        raise RuntimeError("the colleague's saves did not stop in time")
    return LoadResult(**{**result.as_dict(), "writer": writer.result()})
