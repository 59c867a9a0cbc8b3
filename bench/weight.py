"""Page weight: what a browser downloads for each kind of page, compressed, on a first visit and
on a repeat visit (GUIDE §6: ≤ 20 KB first; a repeat visit of an unchanged page ≤ 1 KB, a 304).

First load: the HTML and every stylesheet, script and image it references (and what the CSS
references), each as the server sends it to a browser that accepts gzip and brotli. Repeat load:
the HTML asked again as a browser does, conditionally (`If-None-Match` with the page's ETag,
`If-Modified-Since` with its Last-Modified, when it sent them), counted with its response headers
(a 304 is headers only); plus any referenced file that a browser may not keep for long (one
without a max-age of a year); hashed static files with such headers are not asked again.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from .client import BROWSER_ENCODINGS, Client

YEAR = 365 * 24 * 3600


def pages(
    plan_id: int, organisation_id: int, version_id: int | None = None
) -> list[tuple[str, str, bool]]:
    """(name, path, needs login) for each kind of page; `version_id`: a version of the plan,
    to weigh its comparison with the plan as it is now (none: that page is left out)."""
    plan = f"/plans/{plan_id}"
    compare = [("Versions compared", f"{plan}/versions/compare/?from={version_id}&to=now", True)]
    return [
        ("Login", "/accounts/login/", False),
        ("Home", "/", True),
        ("Organisation", f"/organisations/{organisation_id}/", True),
        ("Plan overview", f"{plan}/", True),
        *[(f"Step {n}", f"{plan}/steps/{n}/", True) for n in range(1, 7)],
        ("Follow-up", f"{plan}/follow-up/", True),
        ("Item history", f"{plan}/items/competences/history/", True),
        ("Indicator library", f"{plan}/library/", True),
        ("Plan comments", f"{plan}/comments/", True),
        ("Plan activity", f"{plan}/activity/", True),
        ("Plan versions", f"{plan}/versions/", True),
        *(compare if version_id is not None else []),
        ("Plan advice", f"{plan}/advice/", True),
        ("Municipality activity", f"/organisations/{organisation_id}/activity/", True),
        ("Notifications", "/notifications/", True),
        ("Profile", "/accounts/profile/", True),
        ("Maturity profile", f"{plan}/profile/", True),
        ("Operators' survey", f"{plan}/operators/", True),
        ("Municipality profiles", f"/organisations/{organisation_id}/profile/", True),
    ]


class _References(HTMLParser):
    """The files an HTML page makes a browser fetch at load time."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            self._add(a.get("href"))
        elif tag in {"script", "img", "source", "iframe", "video", "audio"}:
            self._add(a.get("src"))

    def _add(self, url: str | None) -> None:
        if url and not url.startswith(("data:", "#")):
            self.found.append(url)


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def css_references(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css) if not (a or b).startswith(("data:", "#"))]


@dataclass(frozen=True)
class Asset:
    path: str
    status: int
    wire_bytes: int  # compressed body, as sent
    raw_bytes: int  # body decompressed (equal to wire_bytes when not compressed)
    header_bytes: int
    encoding: str
    cache_control: str
    cached_on_repeat: bool  # max-age of at least a year: a browser does not ask again


@dataclass
class PageWeight:
    name: str
    path: str
    status: int
    html_wire_bytes: int
    html_raw_bytes: int
    html_header_bytes: int
    html_encoding: str
    # The repeat visit's answer to the conditional request: status, body and header bytes.
    repeat_status: int = 0
    repeat_html_bytes: int = 0
    assets: list[Asset] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # references to another host (not fetched)

    @property
    def first_bytes(self) -> int:
        return self.html_wire_bytes + sum(a.wire_bytes for a in self.assets)

    @property
    def first_bytes_with_headers(self) -> int:
        return self.first_bytes + self.html_header_bytes + sum(a.header_bytes for a in self.assets)

    @property
    def first_requests(self) -> int:
        return 1 + len(self.assets)

    @property
    def repeat_bytes(self) -> int:
        again = sum(a.wire_bytes for a in self.assets if not a.cached_on_repeat)
        return self.repeat_html_bytes + again

    @property
    def repeat_requests(self) -> int:
        return 1 + sum(1 for a in self.assets if not a.cached_on_repeat)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "first_bytes": self.first_bytes,
            "first_bytes_with_headers": self.first_bytes_with_headers,
            "first_requests": self.first_requests,
            "repeat_bytes": self.repeat_bytes,
            "repeat_requests": self.repeat_requests,
        }


def long_cached(cache_control: str) -> bool:
    found = re.search(r"max-age=(\d+)", cache_control)
    return found is not None and int(found.group(1)) >= YEAR


def _fetch_asset(client: Client, path: str) -> tuple[Asset, str]:
    """The asset as a browser gets it, and its text when it is CSS (to follow its url()s)."""
    answer = client.get(path, encodings=BROWSER_ENCODINGS)
    text = ""
    if "text/css" in answer.headers.get("content-type", ""):
        # Brotli is not in the standard library: read the CSS from an uncompressed copy.
        readable = answer if answer.encoding != "br" else client.get(path, encodings="identity")
        text = readable.text()
    raw = len(answer.wire_body) if answer.encoding == "br" else len(answer.body())
    cache = answer.headers.get("cache-control", "")
    asset = Asset(
        path=path,
        status=answer.status,
        wire_bytes=len(answer.wire_body),
        raw_bytes=raw,
        header_bytes=answer.header_bytes,
        encoding=answer.encoding,
        cache_control=cache,
        cached_on_repeat=answer.status == 200 and long_cached(cache),
    )
    return asset, text


def weigh(client: Client, name: str, path: str) -> PageWeight:
    """Fetch one page as a browser would on its first visit."""
    html = client.get(path, encodings=BROWSER_ENCODINGS)
    page = PageWeight(
        name=name,
        path=path,
        status=html.status,
        html_wire_bytes=len(html.wire_body),
        html_raw_bytes=len(html.body()),
        html_header_bytes=html.header_bytes,
        html_encoding=html.encoding,
    )
    parser = _References()
    parser.feed(html.text())
    queue = [urljoin(path, url) for url in parser.found]
    seen: set[str] = set()
    # A page references a handful of files; the bound only guards against a reference loop.
    while queue and len(seen) < 50:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != f"{client.host}:{client.port}":
            page.external.append(url)
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local in seen:
            continue
        seen.add(local)
        asset, css = _fetch_asset(client, local)
        page.assets.append(asset)
        queue.extend(urljoin(local, ref) for ref in css_references(css))
    conditions = {
        header: html.headers[key]
        for key, header in (("etag", "If-None-Match"), ("last-modified", "If-Modified-Since"))
        if key in html.headers
    }
    again = client.request("GET", path, headers=conditions, encodings=BROWSER_ENCODINGS)
    page.repeat_status = again.status
    page.repeat_html_bytes = len(again.wire_body) + again.header_bytes
    return page


def version_id(client: Client, plan_id: int) -> int | None:
    """The plan's newest version, as its versions page offers to compare it; None if it has
    none (the demo's snapshot is taken by `load_demo`)."""
    found = re.search(r"\?from=(\d+)&amp;to=now", client.get(f"/plans/{plan_id}/versions/").text())
    return int(found.group(1)) if found else None


def organisation_id(client: Client) -> int:
    """The demo organisation, as the home page links to it."""
    found = re.search(r'href="/organisations/(\d+)/"', client.get("/").text())
    if not found:
        raise RuntimeError("the home page links to no organisation")
    return int(found.group(1))
