"""BENCHMARKS.md, made from bench/results.json alone: every figure next to its goal (GUIDE §6),
and for each goal missed a sentence with the figure and its likely reason.

    python -m bench.report      # rewrite BENCHMARKS.md from the last results.json
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT = BASE_DIR / "BENCHMARKS.md"
RESULTS = Path(__file__).with_name("results.json")

# GUIDE §6.
GOAL_CONCURRENCY = 32
MIN_RATIO = 0.5
MAX_P95_MS = 25.0
MAX_FIRST_KB = 40.0
MAX_REPEAT_KB = 12.0
FORMAT_MS = 100
PAGES_WITH_GOALS = ("step", "autosave", "overview")  # GUIDE names step and autosave; overview too

OK, MISSED = "✅", "❌"
# A load run during which other processes took more than this share of the CPU is flagged.
BUSY = 0.10


def mark(passed: bool) -> str:
    return OK if passed else MISSED


def kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


@dataclass
class Verdicts:
    """Goals met and missed, collected while the sections are written."""

    summary: list[tuple[str, str, str, bool]]  # goal, figure, target, passed
    missed: list[str]  # one sentence per goal missed

    def check(self, goal: str, figure: str, target: str, passed: bool, why: str = "") -> bool:
        self.summary.append((goal, figure, target, passed))
        if not passed and why:
            self.missed.append(why)
        return passed


def _at(runs: list[dict[str, Any]], concurrency: int) -> dict[str, Any] | None:
    return next((r for r in runs if r["concurrency"] == concurrency), None)


def _top_areas(profile: dict[str, Any], n: int = 3) -> str:
    shares = list(profile["self_time_share"].items())[:n]
    return ", ".join(f"{area} {share:.0%}" for area, share in shares)


def load_section(
    label: str, data: dict[str, Any], results: dict[str, Any], v: Verdicts
) -> list[str]:
    runs, titles = data["runs"], data["titles"]
    cores = results["machine"].get("cores") or 2
    profiles = results.get("hotspots", {}) if label == "SQLite" else {}
    lines = [f"## Load — {label}", ""]
    rows = []
    for name, page_runs in runs.items():
        for run in page_runs:
            c = run["concurrency"]
            floor = _at(runs["floor"], c)
            ratio = run["rps"] / floor["rps"] if floor and floor["rps"] else 0.0
            checks: list[tuple[str, bool]] = [("0 errors", run["errors"] == 0)]
            if name == "autosave":
                checks = [("0 failed saves", run["failed_saves"] == 0)]
            if name in PAGES_WITH_GOALS and c == GOAL_CONCURRENCY:
                checks += [
                    (f"÷ floor ≥ {MIN_RATIO}", ratio >= MIN_RATIO),
                    (f"p95 ≤ {MAX_P95_MS:g} ms", run["p95_ms"] <= MAX_P95_MS),
                ]
            written = f"{run['written']} / {run['failed_saves']}" if name == "autosave" else ""
            others = run.get("others_cpu")
            rows.append(
                [
                    titles[name],
                    c,
                    f"{run['rps']:.0f}",
                    f"{ratio:.2f}",
                    f"{run['p50_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    f"{run['p99_ms']:.1f}",
                    run["errors"],
                    written,
                    f"{others:.0%}" if others is not None else "?",
                    ", ".join(goal for goal, _ in checks),
                    mark(all(passed for _, passed in checks)),
                ]
            )
            _verdicts(label, name, titles[name], run, floor, ratio, cores, profiles, v)
    lines += table(
        [
            "Page",
            "Connections",
            "req/s",
            "÷ floor",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "Errors",
            "Saves written / failed",
            "Other CPU",
            "Goal",
            "",
        ],
        rows,
    )
    return lines


def _verdicts(
    label: str,
    name: str,
    title: str,
    run: dict[str, Any],
    floor: dict[str, Any] | None,
    ratio: float,
    cores: int,
    profiles: dict[str, Any],
    v: Verdicts,
) -> None:
    c = run["concurrency"]
    where = f"{title} at {c} connections on {label}"
    others = run.get("others_cpu")
    busy = (
        f" Other processes took {others:.0%} of the CPU during this run."
        if others is not None and others > BUSY
        else ""
    )
    if name == "autosave":
        counts, sockets = run["counts"], run["socket_errors"]
        v.check(
            f"Zero failed saves, c = {c} ({label})",
            f"{run['failed_saves']} failed of {run['requests']}",
            "0",
            run["failed_saves"] == 0,
            f"{where}: {run['failed_saves']} of {run['requests']} saves failed — "
            f"{counts['conflict']} refused as stale (409), {counts['server_error']} server errors "
            f"(5xx), {counts['client_error'] + counts['redirect']} other answers, "
            f"{sum(sockets.values())} socket errors ({sockets}), and "
            f"{max(0, run['ok'] - run['written'])} answered ok without writing. Writes to one "
            "plan queue on its lock; a save that waits longer than wrk's 5 s timeout counts as "
            "failed, and the gunicorn log of the run says more about any 5xx.",
        )
    elif run["errors"]:
        v.missed.append(
            f"{where}: {run['errors']} errors in {run['requests']} requests "
            f"(answers {run['counts']}, socket errors {run['socket_errors']})."
        )
    if name not in PAGES_WITH_GOALS or c != GOAL_CONCURRENCY or floor is None:
        return
    profile = profiles.get(name)
    cost = ""
    if profile:
        costliest = ", ".join(
            f"`{f['function']}` {f['ms_per_request']:.1f} ms" for f in profile["top_self_ms"][:3]
        )
        cost = (
            f" In process, without network or server, one request costs "
            f"{profile['ms_per_request']:.1f} ms and {profile['queries_per_request']} queries "
            f"(self time: {_top_areas(profile)}; costliest functions: {costliest}; see « Where "
            "the time goes »)."
        )
        sqlite_ms = sum(
            f["ms_per_request"]
            for f in profile["top_self_ms"]
            if "sqlite3.Connection" in f["function"]
            and any(m in f["function"] for m in ("'commit'", "'close'"))
        )
        if label == "SQLite" and sqlite_ms >= 1:
            cost += (
                f" Committing and closing the SQLite connection alone take {sqlite_ms:.1f} ms: "
                "without CONN_MAX_AGE every request opens its own connection, and closing the "
                "last one open checkpoints the WAL into the database file, with an fsync."
            )
    floor_cpu_ms = cores * 1000 / floor["rps"] if floor["rps"] else 0
    allowed_ms = floor_cpu_ms / MIN_RATIO
    if profile and profile["ms_per_request"] > allowed_ms:
        cost += (
            f" A ratio of {MIN_RATIO} allows about {allowed_ms:.1f} ms per request, less than "
            "the in-process cost alone: no server setting reaches it, only less work per "
            "request (fewer queries, persistent connections, cached responses)."
        )
    v.check(
        f"{title} ÷ floor at {c} connections ({label})",
        f"{ratio:.2f} ({run['rps']:.0f} vs {floor['rps']:.0f} req/s)",
        f"≥ {MIN_RATIO}",
        ratio >= MIN_RATIO,
        f"{where} serves {run['rps']:.0f} req/s, {ratio:.2f} × the floor's {floor['rps']:.0f} "
        f"(goal ≥ {MIN_RATIO}): the page's own work dominates — the floor uses about "
        f"{floor_cpu_ms:.1f} ms of the {cores} cores per request, this page "
        f"{cores * 1000 / max(run['rps'], 0.1):.1f} ms.{cost}{busy}",
    )
    needed = GOAL_CONCURRENCY / (MAX_P95_MS / 1000)
    v.check(
        f"{title} p95 at {c} connections ({label})",
        f"{run['p95_ms']:.1f} ms",
        f"≤ {MAX_P95_MS:g} ms",
        run["p95_ms"] <= MAX_P95_MS,
        f"{where}: p95 is {run['p95_ms']:.1f} ms (goal ≤ {MAX_P95_MS:g} ms). {c} requests "
        f"always in flight at {run['rps']:.0f} req/s wait {c * 1000 / max(run['rps'], 0.1):.1f} "
        f"ms on average (Little's law): a p95 under {MAX_P95_MS:g} ms needs more than "
        f"{needed:.0f} req/s, {needed / max(run['rps'], 0.1):.1f} × this page's throughput "
        f"(the floor: {floor['rps']:.0f} req/s, p95 {floor['p95_ms']:.1f} ms).{busy}",
    )


def sweep_section(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Gunicorn worker setup",
        "",
        "Each candidate served the floor, the step page and the autosave at 32 connections for a "
        "few seconds; the load runs above use the chosen one.",
        "",
    ]
    body = []
    for row in rows:
        body.append(
            [
                row["setup"] + (" (chosen)" if row["chosen"] else ""),
                *[
                    f"{row[n]['rps']:.0f} / {row[n]['p95_ms']:.1f}"
                    for n in ("floor", "step", "autosave")
                ],
            ]
        )
    lines += table(
        ["Setup", "Floor req/s / p95 ms", "Step page", "Autosave"],
        body,
    )
    best = max(rows, key=lambda r: r["step"]["rps"] + r["autosave"]["rps"])
    if not best["chosen"]:
        lines += [
            f"In this run « {best['setup']} » did best on the step page and autosave together; "
            "the difference between setups is within a few seconds' noise unless it is large.",
            "",
        ]
    return lines


def weight_section(data: dict[str, Any], v: Verdicts) -> list[str]:
    pages = data["pages"]
    lines = [
        "## Page weight",
        "",
        "Bytes of compressed bodies as gunicorn sends them to a browser accepting gzip and "
        "brotli (1 KB = 1,000 bytes). First load: the HTML and every file it references; repeat "
        "load: the HTML again, the static files being cached (hashed names, max-age of a year). "
        "With response headers the first load is a little heavier (last column but two).",
        "",
    ]
    rows = []
    for p in pages:
        static_bytes = p["first_bytes"] - p["html_wire_bytes"]
        first_ok = p["first_bytes"] <= MAX_FIRST_KB * 1000
        repeat_ok = p["repeat_bytes"] <= MAX_REPEAT_KB * 1000
        rows.append(
            [
                p["name"],
                f"{kb(p['html_wire_bytes'])} ({kb(p['html_raw_bytes'])} raw)",
                kb(static_bytes),
                f"{kb(p['first_bytes'])} in {p['first_requests']}",
                f"{kb(p['repeat_bytes'])} in {p['repeat_requests']}",
                kb(p["first_bytes_with_headers"]),
                f"≤ {MAX_FIRST_KB:g} / ≤ {MAX_REPEAT_KB:g}",
                mark(first_ok and repeat_ok),
            ]
        )
        html_kb = kb(p["html_wire_bytes"])
        if not first_ok:
            v.missed.append(
                f"{p['name']} ({p['path']}) weighs {kb(p['first_bytes'])} KB on a first load "
                f"(goal ≤ {MAX_FIRST_KB:g} KB): HTML {html_kb} KB compressed "
                f"({kb(p['html_raw_bytes'])} KB raw), static files {kb(static_bytes)} KB."
            )
        if not repeat_ok:
            v.missed.append(
                f"{p['name']} ({p['path']}) weighs {kb(p['repeat_bytes'])} KB on a repeat load "
                f"(goal ≤ {MAX_REPEAT_KB:g} KB): the HTML alone is {html_kb} KB compressed, "
                f"{kb(p['html_raw_bytes'])} KB raw — the page carries that much markup."
            )
    lines += table(
        [
            "Page",
            "HTML KB (raw)",
            "Static KB",
            "First load KB in requests",
            "Repeat KB in requests",
            "First, with headers",
            "Goal KB",
            "",
        ],
        rows,
    )
    heaviest_first = max(pages, key=lambda p: p["first_bytes"])
    heaviest_repeat = max(pages, key=lambda p: p["repeat_bytes"])
    v.check(
        "First load, heaviest page",
        f"{kb(heaviest_first['first_bytes'])} KB ({heaviest_first['name']})",
        f"≤ {MAX_FIRST_KB:g} KB",
        heaviest_first["first_bytes"] <= MAX_FIRST_KB * 1000,
    )
    v.check(
        "Repeat load, heaviest page",
        f"{kb(heaviest_repeat['repeat_bytes'])} KB ({heaviest_repeat['name']})",
        f"≤ {MAX_REPEAT_KB:g} KB",
        heaviest_repeat["repeat_bytes"] <= MAX_REPEAT_KB * 1000,
    )

    plain = [p["name"] for p in pages if p["html_encoding"] not in {"gzip", "br"}]
    v.check(
        "HTML compressed by the server",
        "all pages" if not plain else f"not: {', '.join(plain)}",
        "gzip",
        not plain,
        f"The server sent the HTML of {', '.join(plain)} uncompressed although the browser "
        "accepted gzip: GZipMiddleware is in the settings, so look at what disables it "
        "(a response under 200 bytes, or one already encoded).",
    )
    lines += ["Static files, as the first load of each page fetched them:", ""]
    assets: dict[str, dict[str, Any]] = {}
    for p in pages:
        for a in p["assets"]:
            assets[a["path"]] = a
    lines += table(
        ["File", "Sent KB (raw)", "Encoding", "Cache-Control", "Not asked again"],
        (
            [
                f"`{a['path']}`",
                f"{kb(a['wire_bytes'])} ({kb(a['raw_bytes'])})",
                a["encoding"] or "none",
                f"`{a['cache_control']}`",
                mark(a["cached_on_repeat"]),
            ]
            for a in assets.values()
        ),
    )
    uncached = [a["path"] for a in assets.values() if not a["cached_on_repeat"]]
    v.check(
        "Static files cached for a year",
        "all" if not uncached else f"not: {', '.join(uncached)}",
        "max-age ≥ 1 year",
        not uncached,
        f"{', '.join(uncached)} may be asked again on a repeat load: its Cache-Control gives "
        "no max-age of a year (is it a hashed name from collectstatic?).",
    )
    external = sorted({u for p in pages for u in p["external"]})
    if external:
        v.missed.append(f"Pages reference files on another host: {', '.join(external)}.")
    html_encodings = ", ".join(sorted({p["html_encoding"] or "uncompressed" for p in pages}))
    static_encodings = ", ".join(sorted({a["encoding"] or "none" for a in assets.values()}))
    lines += [
        f"Encodings sent — HTML: {html_encodings}; static files: {static_encodings}. "
        "Whitenoise serves brotli only when the `brotli` package was installed at "
        "collectstatic time; it is not a dependency, so browsers get gzip.",
        "",
    ]
    return lines


def profile_section(profiles: dict[str, Any]) -> list[str]:
    lines = [
        "## Where the time goes",
        "",
        "cProfile over Django's test client in one process (`python -m bench.hotspots`), on the "
        "benchmark's SQLite database: the application's own cost per request, without network "
        "or gunicorn. The time per request is measured without the profiler; the profiler's "
        "own overhead inflates the per-function figures, so read them as shares.",
        "",
    ]
    others = profiles.get("others_cpu")
    if others is not None and others > BUSY:
        lines += [f"Other processes took {others:.0%} of the CPU while this ran.", ""]
    titles = (("step", "Step page (step 4)"), ("autosave", "Autosave"), ("overview", "Overview"))
    for name, title in titles:
        p = profiles.get(name)
        if not p:
            continue
        lines += [
            f"**{title}**: {p['ms_per_request']:.1f} ms per request, "
            f"{p['queries_per_request']} SQL queries.",
            "",
        ]
        lines += table(
            ["Self time by area", "Share"],
            (
                [area, f"{share:.0%}"]
                for area, share in p["self_time_share"].items()
                if share >= 0.01
            ),
        )
        lines += table(
            ["Jalon function (cumulative)", "ms per request"],
            (
                [f"`{f['function']}`", f"{f['ms_per_request']:.2f}"]
                for f in p["jalon_cumulative_ms"][:8]
            ),
        )
        lines += table(
            ["Costliest functions (self time)", "ms per request", "calls per request"],
            (
                [f"`{f['function']}`", f"{f['ms_per_request']:.2f}", f"{f['calls_per_request']:g}"]
                for f in p["top_self_ms"][:8]
            ),
        )
    return lines


FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "csv": "CSV (ZIP)", "json": "JSON"}
FORMATS_WITH_GOAL = ("pdf", "docx", "xlsx")  # GUIDE §6; CSV and JSON are reported only


def _format_label(row: dict[str, Any]) -> str:
    name = FORMAT_NAMES.get(row["format"], row["format"])
    return name if row["format"] == "json" else f"{name} ({row['language']})"


def formats_section(data: dict[str, Any], v: Verdicts) -> list[str]:
    """Time to build each deliverable; the goal applies to the demo plan only."""
    lines = ["## Report formats", ""]
    plans = data.get("plans")
    if not plans:
        v.check("Full plan as PDF, DOCX, XLSX (demo plan)", "not measured", "", False)
        return [*lines, "Not measured in this run.", ""]
    large = data["large_plan"]
    records = large["records"]
    lines += [
        "Wall time of `FORMATS[code].build(plan, language)` called directly in one process "
        "(`python -m bench.formats`), on a fresh SQLite database: no server, and not the "
        "download view, which keeps built files until the plan changes. Each figure is over "
        f"{data['runs']} builds after one warm-up build (fewer, at least 3, when they took over "
        f"{data['budget_seconds']:g} s together; column « Runs »). « First » is that warm-up "
        "build, timed apart and left out of the median: the demo plan's first PDF is the "
        "process's first Typst compilation (the compiler scans the fonts once), and Typst "
        "memoises layout between compilations, so a repeat build of an unchanged plan is "
        "cheaper than a plan's first build. Sizes in KB of 1,000 bytes.",
        "",
        f"The large plan was written through the real services (`answer_save`, `record_add`) in "
        f"{large['seconds_to_write']:g} s: {records.get('pilot_actions', 0)} pilot actions, "
        f"{records.get('indicators', 0)} indicators, {records.get('actors', 0)} actors, "
        + ", ".join(
            f"{n} `{item}`"
            for item, n in records.items()
            if item not in {"pilot_actions", "indicators", "actors"}
        )
        + f"; every list field filled, references between records, and "
        f"{large['long_text_chars']:,} characters of French prose in every text answer, note "
        "and long text field.",
        "",
    ]
    others = data.get("others_cpu")
    if others is not None and others > BUSY:
        lines += [f"Other processes took {others:.0%} of the CPU while this ran.", ""]
    demo = {(r["format"], r["language"]): r for r in plans["demo"]}
    rows = []
    for r in plans["demo"]:
        has_goal = r["format"] in FORMATS_WITH_GOAL
        big = next(
            (
                b
                for b in plans.get("large", [])
                if (b["format"], b["language"]) == (r["format"], r["language"])
            ),
            None,
        )
        rows.append(
            [
                _format_label(r),
                f"{r['median_ms']:.1f} ({r['min_ms']:.1f}–{r['max_ms']:.1f})",
                f"{r['warm_up_ms']:.1f}",
                kb(r["bytes"]),
                f"≤ {FORMAT_MS} ms" if has_goal else "—",
                mark(r["median_ms"] <= FORMAT_MS) if has_goal else "",
                f"{big['median_ms']:.0f} ({big['min_ms']:.0f}–{big['max_ms']:.0f})" if big else "",
                f"{big['warm_up_ms']:.0f}" if big else "",
                kb(big["bytes"]) if big else "",
                f"{r['runs']} / {big['runs']}" if big else str(r["runs"]),
            ]
        )
    lines += table(
        [
            "Format",
            "Demo: median ms (min–max)",
            "Demo: first ms",
            "Demo KB",
            "Goal",
            "",
            "Large: median ms (min–max)",
            "Large: first ms",
            "Large KB",
            "Runs (demo / large)",
        ],
        rows,
    )
    goal_rows = [r for key, r in demo.items() if key[0] in FORMATS_WITH_GOAL]
    slowest = max(goal_rows, key=lambda r: r["median_ms"])
    for r in goal_rows:
        if r["median_ms"] > FORMAT_MS:
            why = (
                "Typst typesets every page and embeds the fonts and the charts"
                if r["format"] == "pdf"
                else "the charts are rendered to PNG by Typst and the document is zipped"
                if r["format"] == "docx"
                else "openpyxl writes every cell in Python and zips the workbook"
            )
            v.missed.append(
                f"{_format_label(r)} of the demo plan took {r['median_ms']:.1f} ms (median of "
                f"{r['runs']} builds after a warm-up, which is not included; the first build "
                f"took {r['warm_up_ms']:.1f} ms), goal ≤ {FORMAT_MS} ms: likely {why}."
            )
    first_pdf = demo.get(("pdf", "fr"))
    if first_pdf and first_pdf["warm_up_ms"] > FORMAT_MS:
        lines += [
            f"The very first PDF in a process took {first_pdf['warm_up_ms']:.0f} ms: it pays "
            "Typst's start-up (font scan, template parse). The median leaves it out; a server "
            "worker pays it once, on its first PDF or DOCX.",
            "",
        ]
    large_pdf = next((r for r in plans.get("large", []) if r["format"] == "pdf"), None)
    if large_pdf:
        lines += [
            f"The large plan has no goal. Its first PDF ({large_pdf['language']}) took "
            f"{large_pdf['warm_up_ms'] / 1000:.1f} s and {kb(large_pdf['bytes'])} KB; building "
            f"it again unchanged took {large_pdf['median_ms'] / 1000:.1f} s (median), Typst "
            "reusing the layout it memoised. A download after an edit, which the download "
            "view builds anew, should cost somewhere between the two (not measured).",
            "",
        ]
    v.summary.insert(
        0,
        (
            "Full plan as PDF, DOCX, XLSX (demo plan, median)",
            "; ".join(f"{_format_label(r)} {r['median_ms']:.0f} ms" for r in goal_rows),
            f"≤ {FORMAT_MS} ms each",
            slowest["median_ms"] <= FORMAT_MS,
        ),
    )
    return lines


def busy_warning(results: dict[str, Any]) -> list[str]:
    """A warning when other processes shared the machine during the load runs."""
    shares = [
        run["others_cpu"]
        for data in results["load"].values()
        for page_runs in data["runs"].values()
        for run in page_runs
        if run.get("others_cpu") is not None
    ]
    busy = [s for s in shares if s > BUSY]
    if not busy:
        return []
    return [
        f"**The machine was not quiet**: during {len(busy)} of {len(shares)} load runs other "
        f"processes took more than {BUSY:.0%} of the CPU (up to {max(busy):.0%}; column « Other "
        "CPU »). Those runs understate what the server can do; compare them with care, or run "
        "`make bench` again when nothing else runs.",
        "",
    ]


def render(results: dict[str, Any]) -> str:
    v = Verdicts(summary=[], missed=[])
    m = results["machine"]
    method = results["method"]
    sections: list[str] = []
    # First, so that its line heads the Goals table; the section itself comes last.
    format_lines = formats_section(results.get("formats", {}), v)
    for label, data in results["load"].items():
        sections += load_section(label, data, results, v)
    if "PostgreSQL" not in results["load"]:
        why = (
            f"the run failed: `{' '.join(str(results['postgresql_error']).split())[-300:]}`"
            if results.get("postgresql_error")
            else "DATABASE_URL was not set"
        )
        sections += ["## Load — PostgreSQL", "", f"Not measured in this run: {why}.", ""]
    if results.get("worker_sweep"):
        sections += sweep_section(results["worker_sweep"])
    if "page_weight" in results:
        sections += weight_section(results["page_weight"], v)
    if results.get("hotspots"):
        sections += profile_section(results["hotspots"])
    sections += format_lines

    postgres = f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else ""
    head = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` on {results['date']} from `bench/results.json` "
        "(`python -m bench.report` rewrites this file from it; do not edit by hand).",
        "",
        f"Machine: {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['platform']}; Python "
        f"{m['python']}, SQLite {m['sqlite']}{postgres}, Django {m['django']}, gunicorn "
        f"{m['gunicorn']}, whitenoise {m['whitenoise']}, {m['wrk']}. Commit {m['commit']}"
        + (" with uncommitted changes" if m["uncommitted_changes"] else "")
        + ".",
        "",
        f"Method: gunicorn ({method['server']}) on 127.0.0.1 with DEBUG off, serving a fresh "
        "database holding the demo plan, logged in as the demo user. wrk "
        f"({method['load_generator']}) ran {method['seconds_per_run']:g} s per page and "
        f"concurrency ({', '.join(str(c) for c in method['concurrency'])} connections) after a "
        "short warm-up. The floor is a bare Django view (`bench/floor/`, through every "
        "middleware); « ÷ floor » is a page's throughput divided by the floor's at the same "
        "concurrency. Each autosave writes a new text (no version sent, so none can be stale); "
        "« saves written » is how much the item's version went up. wrk shares the 2 cores with "
        "the server, so absolute figures are lower than on a dedicated server; the ratios are "
        "what to compare.",
        "",
        *busy_warning(results),
        "## Goals",
        "",
    ]
    rows: list[list[str]] = [
        [goal, figure, target, mark(passed)] for goal, figure, target, passed in v.summary
    ]
    summary = table(["Goal", "Measured", "Target", ""], rows)
    missed = ["## Goals missed", ""]
    missed += [f"- {sentence}" for sentence in v.missed] or ["None in this run.", ""]
    return "\n".join([*head, *summary, *missed, "", *sections]).rstrip() + "\n"


def write(results: dict[str, Any]) -> None:
    OUTPUT.write_text(render(results))


if __name__ == "__main__":
    write(json.loads(RESULTS.read_text()))
    print(f"Wrote {OUTPUT.relative_to(BASE_DIR)}.")
