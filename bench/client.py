"""A tiny HTTP client over http.client: cookies, gzip, and the bytes really sent on the wire.

urllib would decompress nothing but follow redirects and hide the sizes; the page weight needs the
compressed body as the server sent it, the response headers, and no redirect followed silently.
"""

from __future__ import annotations

import gzip
import http.client
import re
import time
import zlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import brotli

# What a current browser announces; whitenoise picks .br or .gz from it, and Jalon's
# CompressionMiddleware compresses pages in brotli when it sees br.
BROWSER_ENCODINGS = "gzip, deflate, br"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    wire_body: bytes  # as received, possibly compressed
    header_bytes: int  # status line and headers, as received

    @property
    def encoding(self) -> str:
        return self.headers.get("content-encoding", "")

    def body(self) -> bytes:
        """The body decompressed."""
        if self.encoding == "br":
            return bytes(brotli.decompress(self.wire_body))
        if self.encoding == "gzip":
            return gzip.decompress(self.wire_body)
        if self.encoding == "deflate":
            return zlib.decompress(self.wire_body)
        return self.wire_body

    def text(self) -> str:
        return self.body().decode("utf-8", errors="replace")


@dataclass
class Client:
    """One browser: a cookie jar and a server address. One connection per request, so that a
    server that closes connections (gunicorn's sync workers) needs no special care."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        encodings: str = "gzip",
    ) -> Response:
        sent = {"Accept-Encoding": encodings, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            wire_body = raw.read()
            pairs = raw.getheaders()
            status_line = len(f"HTTP/1.1 {raw.status} {raw.reason}\r\n")
        finally:
            connection.close()
        header_bytes = status_line + sum(len(k) + len(v) + 4 for k, v in pairs) + 2
        joined: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            if key == "set-cookie":
                self._keep_cookie(value)
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        return Response(raw.status, joined, wire_body, header_bytes)

    def get(self, path: str, *, encodings: str = "gzip") -> Response:
        return self.request("GET", path, encodings=encodings)

    def post_form(
        self, path: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> Response:
        return self.request(
            "POST",
            path,
            body=urlencode(data).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    def _keep_cookie(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log_in(client: Client, email: str, password: str) -> None:
    """Log in through the real login form: its CSRF token, then the POST; Django rotates the
    CSRF cookie on login, so the jar keeps the new one for the autosaves."""
    page = client.get("/accounts/login/")
    found = CSRF_INPUT.search(page.text())
    if page.status != 200 or not found:
        raise RuntimeError(f"login page: HTTP {page.status}, CSRF token found: {bool(found)}")
    answer = client.post_form(
        "/accounts/login/",
        {"username": email, "password": password, "csrfmiddlewaretoken": found.group(1)},
    )
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"login refused: HTTP {answer.status} (expected a 302 and a session)")


def wait_until_up(client: Client, path: str, deadline: float) -> None:
    """Poll until the server answers 200 on `path`, or fail at `deadline` (time.monotonic)."""
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            answer = client.get(path)
        except OSError as error:
            last = str(error)
        else:
            if answer.status == 200:
                return
            last = f"HTTP {answer.status}"
        time.sleep(0.1)
    raise RuntimeError(f"server not ready on {path}: {last}")
