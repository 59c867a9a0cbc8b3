"""`make bench`: measure Jalon against the numbers of GUIDE §6 and write bench/results.json and
BENCHMARKS.md.

    python -m bench.run [--seconds 10] [--no-sweep] [--formats-only]

1. wrk (installed with apt-get when missing and we are root);
2. a fresh SQLite database in a temporary folder: migrate, the demo, collected static files;
3. a short comparison of gunicorn worker setups, which justifies the one used below;
4. gunicorn serving Jalon: page weight of every kind of page (a repeat visit asks
   conditionally); in process (`bench/hotspots.py`), each step page and the overview warm and
   right after a colleague's save, with a profile of each;
5. load with wrk at 1, 8 and 32 connections with warm caches; the mixed load (readers at 8
   connections while a colleague saves 10 times a second through HTTP, `load.Writer`); then a
   server whose cache never finds anything (`BENCH_CACHE=miss`): every request a miss;
6. each report format's first build after an edit, through the download view, in one process
   on a fresh SQLite database holding the demo and a large plan (`bench/formats.py`;
   `--formats-only` runs this part alone and keeps the other figures of the last results.json);
7. step 5 again on PostgreSQL when DATABASE_URL is set (that database is emptied);
8. results.json with every raw figure, the caches found in jalon/ (`bench/caches.py`), and
   BENCHMARKS.md made from it (bench/report.py).

BENCH_QUICK=1 makes every run short, to try the benchmark out; BENCH_NOTE adds a sentence to
the head of BENCHMARKS.md. Load generators send traffic to 127.0.0.1 only.

Every process it starts (gunicorn, wrk, manage.py) is stopped when it ends, fails or is
interrupted, and every wait is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

from . import caches, cpu, load, report, weight
from .client import Client, log_in
from .server import (
    BASE_DIR,
    Server,
    WorkerSetup,
    bench_env,
    collect_static,
    gunicorn,
    prepare_database,
)

RESULTS = Path(__file__).with_name("results.json")
QUICK = os.environ.get("BENCH_QUICK") == "1"  # short runs, to try the benchmark out
DEMO_EMAIL, DEMO_PASSWORD = "demo@example.org", "jalon-demo"  # GUIDE §8
COLLEAGUE_EMAIL = "moussa@example.org"  # the demo's second member, an editor (same password)

# The setup measured below. On 2 cores, 4 sync workers were the best or within noise of the best
# on the step page and the autosave together whenever the machine was quiet (see `worker_sweep` in
# results.json, rerun by each `make bench`): a request is mostly CPU-bound Python, so more
# processes than cores only help to cover the short waits on the database (SQLite's fsyncs) and
# the network; threads share one GIL per process, and 2 workers × 4 threads was clearly worse;
# 4 workers × 2 threads ties with it. Sync workers keep one request per process: no thread-safety
# question, and a slow request cannot stall another in the same process.
SERVER = WorkerSetup("sync", workers=4)
CANDIDATES = [
    WorkerSetup("sync", workers=2),
    WorkerSetup("sync", workers=4),
    WorkerSetup("gthread", workers=2, threads=4),
    WorkerSetup("gthread", workers=4, threads=2),
]


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds through the `with gunicorn(...)` blocks, which stop the servers.
    raise SystemExit(128 + signum)


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "whitenoise": version("whitenoise"),
        **commit(),
    }


def commit() -> dict[str, Any]:
    """The commit measured, and whether the work tree differed from it (a dirty tree). The
    benchmark's own output, which it rewrites midway, does not count."""
    outputs = [f":(exclude){path}" for path in ("bench/results.json", "BENCHMARKS.md")]
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--", ".", *outputs)),
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 — git from PATH, fixed arguments
            ["git", *args],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def postgresql_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else ""


def logged_in(anonymous: Client, email: str = DEMO_EMAIL) -> tuple[Client, str]:
    """A client logged in (as the demo user unless told), and the CSRF token autosaves send."""
    client = Client(anonymous.host, anonymous.port)
    log_in(client, email, DEMO_PASSWORD)
    return client, client.cookies["csrftoken"]


def load_runs(
    wrk: str,
    server: Server,
    plan_id: int,
    seconds: float,
    *,
    postgres: bool = False,
    concurrencies: tuple[int, ...] = load.CONCURRENCY,
) -> dict[str, Any]:
    """Every warm scenario at every concurrency. Scenarios alternate within one concurrency, so
    the floor and the pages it is compared with are measured minutes apart at most."""
    scenarios = load.scenarios(plan_id)
    return _measured(wrk, server, scenarios, plan_id, seconds, postgres, concurrencies)


def miss_runs(
    wrk: str,
    env: dict[str, str],
    log: Path,
    plan_id: int,
    seconds: float,
    *,
    postgres: bool = False,
    concurrencies: tuple[int, ...] = load.CONCURRENCY,
) -> dict[str, Any]:
    """The step page and the overview on a server whose cache never finds anything: every
    request pays what the first request after an edit pays (bench/cache.py)."""
    with gunicorn({**env, "BENCH_CACHE": "miss"}, SERVER, log) as server:
        scenarios = load.miss_scenarios(plan_id)
        return _measured(wrk, server, scenarios, plan_id, seconds, postgres, concurrencies)


def _measured(
    wrk: str,
    server: Server,
    scenarios: list[load.Scenario],
    plan_id: int,
    seconds: float,
    postgres: bool,
    concurrencies: tuple[int, ...],
) -> dict[str, Any]:
    """`scenarios` at each concurrency against `server`, once the machine is quiet, logged in
    and warmed up."""
    quiet = cpu.wait_for_quiet()
    client, csrf = logged_in(server.client)
    load.warm_up(wrk, client, scenarios, csrf)
    return _runs(
        scenarios,
        concurrencies,
        quiet,
        plan_id,
        lambda scenario, c: load.measure(
            wrk,
            client,
            scenario,
            concurrency=c,
            seconds=seconds,
            csrf=csrf,
            group=server.group,
            postgres=postgres,
        ),
    )


def mixed_runs(
    wrk: str, server: Server, plan_id: int, seconds: float, *, postgres: bool = False
) -> dict[str, Any]:
    """Readers at 8 connections while a colleague (the demo's second member, logged in with a
    session of their own) saves 10 times a second through HTTP; the floor just before."""
    quiet = cpu.wait_for_quiet()
    client, csrf = logged_in(server.client)
    colleague, colleague_csrf = logged_in(server.client, COLLEAGUE_EMAIL)
    return _runs(
        load.mixed_scenarios(plan_id),
        (load.MIXED_CONCURRENCY,),
        quiet,
        plan_id,
        lambda scenario, c: load.measure_mixed(
            wrk,
            client,
            colleague,
            scenario,
            plan_id=plan_id,
            concurrency=c,
            seconds=seconds,
            csrf=csrf,
            colleague_csrf=colleague_csrf,
            group=server.group,
            postgres=postgres,
        ),
    )


def _runs(
    scenarios: list[load.Scenario],
    concurrencies: tuple[int, ...],
    quiet: float | None,
    plan_id: int,
    measure: Callable[[load.Scenario, int], load.LoadResult],
) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in scenarios}
    for concurrency in concurrencies:
        for scenario in scenarios:
            result = measure(scenario, concurrency)
            others = f"{result.others_cpu:.0%}" if result.others_cpu is not None else "?"
            writer = (
                f"  colleague: {result.writer['written']} saved, {result.writer['failed']} failed"
                if result.writer
                else ""
            )
            print(
                f"  {scenario.name:9} c={concurrency:<3} {result.rps:8.1f} req/s  "
                f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}  other CPU {others}"
                f"{writer}",
                flush=True,
            )
            runs[scenario.name].append(result.as_dict())
    return {
        "plan_id": plan_id,
        "titles": {s.name: s.title for s in scenarios},
        "cpu_busy_before": quiet,
        "runs": runs,
        "measured_on": commit(),
    }


def worker_sweep(
    wrk: str, env: dict[str, str], workdir: Path, plan_id: int, seconds: float
) -> list[dict[str, Any]]:
    """The floor, the step page and the autosave at 32 connections under each candidate setup."""
    rows = []
    for setup in CANDIDATES:
        with gunicorn(env, setup, workdir / "gunicorn-sweep.log") as server:
            client, csrf = logged_in(server.client)
            load.warm_up(wrk, client, load.scenarios(plan_id), csrf, seconds=1)
            row: dict[str, Any] = {"setup": setup.label, "chosen": setup == SERVER}
            for scenario in load.scenarios(plan_id):
                if scenario.name == "overview":
                    continue
                result = load.measure(
                    wrk,
                    client,
                    scenario,
                    concurrency=32,
                    seconds=seconds,
                    csrf=csrf,
                    group=server.group,
                )
                row[scenario.name] = {
                    "rps": result.rps,
                    "p95_ms": result.p95_ms,
                    "errors": result.errors,
                    "others_cpu": result.others_cpu,
                }
        print(
            f"  {setup.label:32} step {row['step']['rps']:7.1f} req/s, "
            f"autosave {row['autosave']['rps']:7.1f} req/s",
            flush=True,
        )
        rows.append(row)
    return rows


def page_weights(anonymous: Client, plan_id: int) -> dict[str, Any]:
    client, _csrf = logged_in(anonymous)
    organisation = weight.organisation_id(client)
    rows = []
    version = weight.version_id(client, plan_id)
    for name, path, needs_login in weight.pages(plan_id, organisation, version):
        page = weight.weigh(client if needs_login else anonymous, name, path)
        if page.status != 200:
            raise RuntimeError(f"page weight: {path} answered HTTP {page.status}")
        rows.append(page.as_dict())
    return {"pages": rows}


def hotspots(env: dict[str, str], plan_id: int) -> dict[str, Any]:
    return run_measurement("bench.hotspots", [str(plan_id)], env, timeout=300)


def run_measurement(
    module: str, args: list[str], env: dict[str, str], *, timeout: int
) -> dict[str, Any]:
    """Run a measuring module in its own process, on a quiet machine, and return the JSON it
    prints, with the share of the CPU other processes took meanwhile."""
    cpu.wait_for_quiet()
    before = cpu.sample(None)
    done = subprocess.run(  # noqa: S603 — our own interpreter and module, fixed arguments
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["measured_on"] = commit()
    result["others_cpu"] = cpu.others_share(before, cpu.sample(None), postgres_is_ours=False)
    return result


def report_formats(workdir: Path) -> dict[str, Any]:
    """`bench.formats` on a database of its own: the load runs' autosaves have rewritten an
    answer of the demo plan in the other one, and the large plan it adds must not be there
    while pages are measured."""
    folder = workdir / "formats"
    folder.mkdir()
    env = bench_env(folder, None)
    prepare_database(env, flush=False)
    collect_static(env)  # the downloads start from a page, which names the static files
    result = run_measurement("bench.formats", [], env, timeout=1200)
    for label, rows in result["plans"].items():
        for row in rows:
            text, chart = row["after_text_edit"], row["after_chart_edit"]
            print(
                f"  {label:5} {row['format']:4} {row['language']}  after a text edit "
                f"{text['median_ms']:7.1f} ms, after a chart edit {chart['median_ms']:7.1f} ms, "
                f"repeat {row['repeat_ms']:6.1f} ms  {row['bytes'] / 1000:9.1f} KB",
                flush=True,
            )
    return result


def formats_only() -> int:
    """Measure the report formats again and keep every other figure of the last run."""
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "load" not in results:
        print("No full results.json yet: run `make bench` once first.", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="jalon-bench-") as tmp:
        print("Report formats (demo and large plan)…", flush=True)
        results["formats"] = report_formats(Path(tmp))
    save(results)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--sweep-seconds", type=float, default=3)
    parser.add_argument("--no-sweep", action="store_true", help="skip the worker comparison")
    parser.add_argument(
        "--formats-only", action="store_true", help="measure the report formats alone"
    )
    args = parser.parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    if args.formats_only:
        return formats_only()
    concurrencies: tuple[int, ...] = load.CONCURRENCY
    if QUICK:  # to try the benchmark out: figures of a quick run are not worth keeping
        args.seconds, args.no_sweep, concurrencies = 2, True, (1, 8)

    started = time.monotonic()
    wrk = load.ensure_wrk()
    database_url = os.environ.get("DATABASE_URL", "")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "wrk": load.wrk_version(wrk)},
        "method": {
            "server": SERVER.label,
            "load_generator": "wrk, 2 threads, on the same machine as the server",
            "seconds_per_run": args.seconds,
            "concurrency": list(concurrencies),
            "quick": QUICK,
        },
        # BENCH_NOTE: a sentence for the head of BENCHMARKS.md (« measured on a busy machine »).
        "note": os.environ.get("BENCH_NOTE", ""),
        "caches": caches.inventory(),
        "load": {},
        "miss": {},
        "mixed": {},
        "formats": {},
    }
    with tempfile.TemporaryDirectory(prefix="jalon-bench-") as tmp:
        workdir = Path(tmp)
        env = bench_env(workdir, None)
        print("SQLite: migrate, demo, collectstatic…", flush=True)
        plan_id = prepare_database(env, flush=False)
        collect_static(env)
        if not args.no_sweep:
            print("Comparing gunicorn worker setups (32 connections)…", flush=True)
            results["worker_sweep"] = worker_sweep(wrk, env, workdir, plan_id, args.sweep_seconds)
        with gunicorn(env, SERVER, workdir / "gunicorn-sqlite.log") as server:
            print("Page weight…", flush=True)
            results["page_weight"] = page_weights(server.client, plan_id)
            print("In process: step page and overview warm and right after an edit…", flush=True)
            results["hotspots"] = hotspots(env, plan_id)
        database_runs(results, "SQLite", wrk, env, workdir, plan_id, args.seconds, concurrencies)
        print("Report formats: first build after an edit…", flush=True)
        results["formats"] = report_formats(workdir)
        results["method"]["total_seconds"] = round(time.monotonic() - started)
        save(results)  # a PostgreSQL failure below must not lose the SQLite figures
        if database_url:
            try:
                results["machine"]["postgresql"] = postgresql_version(database_url)
                env = bench_env(workdir, database_url)
                print("PostgreSQL (DATABASE_URL): migrate, flush, demo…", flush=True)
                plan_id = prepare_database(env, flush=True)
                database_runs(
                    results, "PostgreSQL", wrk, env, workdir, plan_id, args.seconds, concurrencies
                )
            except Exception as error:
                results["postgresql_error"] = str(error)[-1000:]
                save(results)
                raise
    results["method"]["total_seconds"] = round(time.monotonic() - started)
    save(results)
    return 0


def database_runs(
    results: dict[str, Any],
    label: str,
    wrk: str,
    env: dict[str, str],
    workdir: Path,
    plan_id: int,
    seconds: float,
    concurrencies: tuple[int, ...],
) -> None:
    """Warm load, mixed load (same server), then every request a miss (a server of its own)."""
    postgres = label == "PostgreSQL"
    log = workdir / f"gunicorn-{label.lower()}.log"
    with gunicorn(env, SERVER, log) as server:
        print(f"Load on {label}, warm caches ({SERVER.label})…", flush=True)
        results["load"][label] = load_runs(
            wrk, server, plan_id, seconds, postgres=postgres, concurrencies=concurrencies
        )
        print(f"Mixed load on {label}: readers while a colleague saves…", flush=True)
        results["mixed"][label] = mixed_runs(wrk, server, plan_id, seconds, postgres=postgres)
    print(f"Load on {label}, every request a cache miss…", flush=True)
    results["miss"][label] = miss_runs(
        wrk,
        env,
        workdir / f"gunicorn-{label.lower()}-miss.log",
        plan_id,
        seconds,
        postgres=postgres,
        concurrencies=concurrencies,
    )


def save(results: dict[str, Any]) -> None:
    """results.json, replaced whole (never half-written), and BENCHMARKS.md made from it."""
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    temporary.replace(RESULTS)
    report.write(results)
    print(f"Wrote {RESULTS.relative_to(BASE_DIR)} and {report.OUTPUT.relative_to(BASE_DIR)}.")


if __name__ == "__main__":
    sys.exit(main())
