"""Durability and scale-out tests run the production server: gunicorn serving `jalon.wsgi` with
JALON_DEBUG off, on 127.0.0.1, against a database of their own (a SQLite file in the test's
temporary directory, or a scratch PostgreSQL database when DATABASE_URL is set).

Everything here is bounded in time: each wait polls until a deadline, each request has a timeout,
and every server started is killed (its whole process group) when the test ends, pass or fail.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "jalon-demo"
DEMO_USERS = ("demo@example.org", "moussa@example.org")
STARTUP_SECONDS = 30
REQUEST_SECONDS = 15


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class Database:
    """A database for servers started by a test, and the environment that points them to it."""

    engine: str
    env: dict[str, str]
    logs: Path

    def state(self) -> dict[str, Any]:
        """What tests/durability/dbstate.py reads from this database."""
        state: dict[str, Any] = json.loads(run_python(self.env, "-m", "tests.durability.dbstate"))
        return state


def run_python(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(  # noqa: S603 — our own interpreter and scripts
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"python {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def production_env(**database: str) -> dict[str, str]:
    """The environment of a production server, with the given database variable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "JALON_DB_PATH", "JALON_DEBUG", "JALON_SECURE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="jalon.settings",
        JALON_DEBUG="0",
        JALON_SECRET_KEY=secrets.token_urlsafe(40),
        JALON_ALLOWED_HOSTS="127.0.0.1",
        PYTHONWARNINGS="ignore::UserWarning",  # whitenoise's "no staticfiles directory"
        **database,
    )
    return env


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Database:
    return Database(
        "sqlite", production_env(JALON_DB_PATH=str(tmp_path / "jalon.sqlite3")), tmp_path
    )


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A scratch database on DATABASE_URL's server, dropped at the end. Only for tests marked
    `postgres`, which tests/conftest.py deselects when DATABASE_URL is not PostgreSQL."""
    assert request.node.get_closest_marker("postgres"), "mark the test @pytest.mark.postgres"
    import psycopg

    admin_url = postgres_url()
    assert admin_url is not None, "a `postgres` test ran without DATABASE_URL=postgres://…"
    name = f"jalon_durability_{os.getpid()}_{secrets.token_hex(4)}"
    parts = urllib.parse.urlsplit(admin_url)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database("postgresql", production_env(DATABASE_URL=url), tmp_path)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """Each engine in turn: SQLite always, PostgreSQL when DATABASE_URL points to one (the
    `postgres` mark deselects that case otherwise)."""
    fixture = {"sqlite": "sqlite_database", "postgresql": "postgres_database"}[request.param]
    database: Database = request.getfixturevalue(fixture)
    return database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One gunicorn master and its workers, in a process group of their own."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a crash, not a shutdown."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it died on its own meanwhile
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@dataclass
class Servers:
    """Starts production servers; the fixture kills any still running at the end."""

    started: list[Server] = field(default_factory=list)

    def start(self, database: Database, *, workers: int = 2) -> Server:
        server = self._spawn(database, workers)
        self._wait_until_it_answers(server)
        return server

    def start_together(self, database: Database, count: int, *, workers: int = 2) -> list[Server]:
        """Several servers on one database, booting at the same time."""
        started = [self._spawn(database, workers) for _ in range(count)]
        for server in started:
            self._wait_until_it_answers(server)
        return started

    def _spawn(self, database: Database, workers: int) -> Server:
        port = free_port()
        log = database.logs / f"server-{len(self.started) + 1}-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 — our own interpreter and gunicorn
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "jalon.wsgi:application",
                    f"--bind=127.0.0.1:{port}",
                    f"--workers={workers}",
                    "--no-control-socket",  # no socket in $HOME, and two servers at once
                ],
                cwd=ROOT,
                env=database.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one signal reaches all
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        self.started.append(server)
        return server

    @staticmethod
    def _wait_until_it_answers(server: Server) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"the server exited at start:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(f"{server.url}/accounts/login/", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                pass  # not listening yet
            time.sleep(0.05)
        pytest.fail(f"the server did not answer within {STARTUP_SECONDS} s:\n{server.log_text()}")

    def kill_all(self) -> None:
        for server in self.started:
            server.kill()


@pytest.fixture
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.kill_all()


@dataclass
class Response:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is an answer the tests look at


class Client:
    """A browser's part that matters here: cookies (session, CSRF) and form posts. Clients made
    with `on` share the cookies, as one browser whose requests a load balancer spreads."""

    def __init__(self, url: str, cookies: CookieJar | None = None) -> None:
        self.url = url
        self.cookies = cookies if cookies is not None else CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )

    def on(self, server: Server) -> Client:
        return Client(server.url, self.cookies)

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def request(
        self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=body, headers=headers or {})  # noqa: S310
        try:
            with self._opener.open(request, timeout=REQUEST_SECONDS) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def login(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.request("/accounts/login/")  # sets the CSRF cookie
        answer = self.request(
            "/accounts/login/",
            {
                "username": email,
                "password": password,
                "csrfmiddlewaretoken": self.cookie("csrftoken"),
            },
        )
        assert answer.status == 302, f"login of {email} refused: {answer.status}"

    def autosave(self, path: str, fields: dict[str, Any]) -> Response:
        """What autosave.js sends: the form's fields, as an autosave, with the CSRF token."""
        headers = {"X-Jalon-Autosave": "1", "X-CSRFToken": self.cookie("csrftoken")}
        return self.request(path, fields, headers)


def demo_database(database: Database) -> dict[str, Any]:
    """`manage.py migrate`, `load_demo`, and the state of the database they made: in one
    process, as Django's start-up is most of the time each of them takes."""
    script = (
        "import io, django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        "call_command('load_demo', stdout=io.StringIO()); "
        "from tests.durability.dbstate import main; main()"
    )
    state: dict[str, Any] = json.loads(run_python(database.env, "-c", script))
    return state


def assert_history_chain(history: list[dict[str, Any]], version: int) -> None:
    """One revision per version, 1 to the current one, each starting where the last ended."""
    assert [r["version"] for r in history] == list(range(1, version + 1))
    for older, newer in itertools.pairwise(history):
        assert newer["before"] == older["after"], f"history broken at version {newer['version']}"
