"""Every cache in Jalon's code, and which benchmark rows hit or miss it (BENCHMARKS.md, « Caches »).

`inventory()` also searches jalon/ for cache use (functools caches, Django's cache, persistent
connections, the Typst compiler kept per process) and lists what it finds; a find that no
entry of `KNOWN` describes is shown as « not described », so a new cache cannot hide from the
report: describe it here, with the rows that hit it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent

# The columns of the table in BENCHMARKS.md: groups of rows measured the same way.
ROWS = {
    "warm": "Pages, warm (load « warm cache », in process « warm »)",
    "miss": "Pages right after an edit (in process « after an edit », load « every miss »)",
    "mixed": "Mixed load (readers while a colleague saves)",
    "report_edit": "Report, first build after a text edit",
    "report_chart": "Report, first build after a chart's data changed",
    "report_repeat": "Report, repeat download of an unchanged plan",
    "report_new_process": "Report, first build in a new process",
}

HIT, MISS, NONE = "hit", "miss", "—"


@dataclass(frozen=True)
class Cache:
    name: str
    where: str  # the file (and function) that keeps it
    keeps: str  # what, under which key, for how long, shared by whom
    rows: dict[str, str]  # ROWS key → hit, miss, or how it behaves there
    # (file, enclosing top-level function or "*", regular expression) of its lines in jalon/.
    markers: tuple[tuple[str, str, str], ...] = field(default=())


KNOWN = (
    Cache(
        "Fragment cache",
        "`jalon/plans/fragments.py` `cached_parts` (step pages, overview)",
        "The rendered stepper and body of a step page (per step and right to edit) and of the "
        "overview; key: plan, `Plan.updated`, the plan's comment stamp (threads, their "
        "versions, last write: `jalon/discussions/selectors.py` `comment_counts`), language, "
        "today's date. Django's default cache: a LocMemCache in each gunicorn worker (300 "
        "entries, 1 h). Any save to a plan changes `Plan.updated`, and any comment the stamp, so "
        "after either every page of the plan misses once in every worker.",
        {
            "warm": HIT,
            "miss": MISS,
            "mixed": "each save: one miss per page and worker, then hits",
            "report_edit": NONE,
            "report_chart": NONE,
            "report_repeat": NONE,
            "report_new_process": NONE,
        },
        (
            ("jalon/plans/fragments.py", "cached_parts", r"cache\."),
            ("jalon/plans/fragments.py", "*", r"core\.cache import"),
            ("jalon/settings.py", "*", r"LocMemCache"),
        ),
    ),
    Cache(
        "Download cache",
        "`jalon/plans/fragments.py` `cached_file`, used by `jalon/reports/views.py` "
        "`plan_download`",
        "A built PDF, DOCX, XLSX or CSV per plan and language, same key and store as the "
        "fragment cache. JSON is not kept (it says when it was exported).",
        {
            "warm": NONE,
            "miss": NONE,
            "mixed": NONE,
            "report_edit": MISS,
            "report_chart": MISS,
            "report_repeat": HIT + " (JSON: built again)",
            "report_new_process": MISS,
        },
        (
            ("jalon/plans/fragments.py", "cached_file", r"cache\."),
            ("jalon/reports/views.py", "*", r"cached_file"),
        ),
    ),
    Cache(
        "Chart images",
        "`jalon/reports/charts/__init__.py` `_png` (`functools.lru_cache`, 32)",
        "The PNG of each chart, for DOCX (PDF embeds the SVG); key: the chart's SVG. Per process.",
        {
            "warm": NONE,
            "miss": NONE,
            "mixed": NONE,
            "report_edit": HIT + " (the charts did not change)",
            "report_chart": MISS + " for the changed chart, hit for the others",
            "report_repeat": HIT,
            "report_new_process": MISS,
        },
        (("jalon/reports/charts/__init__.py", "*", r"lru_cache"),),
    ),
    Cache(
        "Typst compiler",
        "`jalon/reports/typesetting.py` `_compiler`",
        "One Typst compiler per process, made on the first PDF or chart image (it scans the "
        "fonts); Typst also memoises layout between compilations in the process, so a "
        "compilation of a slightly changed plan reuses part of the previous one.",
        {
            "warm": NONE,
            "miss": NONE,
            "mixed": NONE,
            "report_edit": "warm; layout memo partly reused",
            "report_chart": "warm; layout memo partly reused",
            "report_repeat": NONE + " (the download cache answers)",
            "report_new_process": MISS + " (made, fonts scanned)",
        },
        (("jalon/reports/typesetting.py", "*", r"_compiler\b"),),
    ),
    Cache(
        "DOCX template",
        "`jalon/reports/to_docx.py` `_template` (`functools.cache`)",
        "An empty styled document per language, reopened for each plan. Per process.",
        {
            "warm": NONE,
            "miss": NONE,
            "mixed": NONE,
            "report_edit": HIT,
            "report_chart": HIT,
            "report_repeat": NONE,
            "report_new_process": MISS,
        },
        (("jalon/reports/to_docx.py", "*", r"functools\.cache"),),
    ),
    Cache(
        "Worksheet definitions",
        "`jalon/worksheets/loading.py` `bundled_definitions` (`functools.cache`)",
        "The bundled YAML worksheets, parsed once per process.",
        dict.fromkeys(ROWS, HIT) | {"report_new_process": HIT + " (an earlier page loaded it)"},
        (("jalon/worksheets/loading.py", "*", r"^@cache|functools import cache"),),
    ),
    Cache(
        "Persistent database connections",
        "`jalon/settings.py` `CONN_MAX_AGE` (SQLite 600 s, PostgreSQL 60 s)",
        "Each worker keeps its connection between requests instead of opening one per request.",
        dict.fromkeys(ROWS, HIT),
        (("jalon/settings.py", "*", r"CONN_MAX_AGE|conn_max_age"),),
    ),
    Cache(
        "Django's template loader and translations",
        "Django (DEBUG off: cached template loader; gettext catalogues)",
        "Compiled templates and translation catalogues, per process; the benchmark warms every "
        "worker before measuring.",
        dict.fromkeys(ROWS, HIT),
    ),
    Cache(
        "Browser cache of static files",
        "whitenoise, `CompressedManifestStaticFilesStorage` (`jalon/settings.py`)",
        "CSS and JS under hashed names, `max-age` of a year, `immutable`: a repeat visit does not "
        "ask for them (« Page weight », repeat load). wrk asks only for the HTML.",
        dict.fromkeys(ROWS, NONE),
    ),
)

# Lines of jalon/ that keep something between calls or requests.
CACHE_USE = re.compile(
    r"functools\.(cache|lru_cache|cached_property)|^\s*@(cache|lru_cache|cached_property)\b"
    r"|from functools import .*\b(cache|lru_cache|cached_property)\b"
    r"|django\.core\.cache|\bcaches\[|\bcache\.(get|set|add|get_or_set|get_many|set_many)\("
    r"|CONN_MAX_AGE|conn_max_age|^_\w+\s*(:[^=]*)?=\s*None\s*$"
)

# A top-level definition starts a function; other top-level code (not a closing bracket of a
# signature, not a comment or a string) ends it.
TOP_LEVEL = re.compile(r"^(?:async def|def|class) (\w+)|^[^\s)\]}#\"']")


def scan(root: Path = BASE_DIR) -> list[dict[str, Any]]:
    """Each line of jalon/ (not migrations) that uses a cache, and the cache it belongs to."""
    found = []
    for path in sorted((root / "jalon").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/migrations/" in relative:
            continue
        function = ""  # the top-level function the line is in
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            top = TOP_LEVEL.match(line)
            if top:
                function = top.group(1) or ""
            if not CACHE_USE.search(line):
                continue
            owner = next(
                (
                    cache.name
                    for cache in KNOWN
                    for file, within, pattern in cache.markers
                    if file == relative
                    and within in {"*", function}
                    and re.search(pattern, line.strip())
                ),
                None,
            )
            found.append({"where": f"{relative}:{number}", "line": line.strip(), "cache": owner})
    return found


def inventory() -> dict[str, Any]:
    return {
        "rows": ROWS,
        "known": [asdict(cache) for cache in KNOWN],
        "found": scan(),
    }
