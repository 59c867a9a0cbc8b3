"""The system under test: a fresh database with the demo, collected static files, and Jalon served
by gunicorn on 127.0.0.1, exactly as in production (DEBUG off, a secret key, allowed hosts)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .client import Client, wait_until_up

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FLOOR_PATH = "/bench/floor/"


def bench_env(workdir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of every manage.py command and of gunicorn for one database.

    Inherited variables that would change what is measured (JALON_DEBUG, JALON_SECURE, another
    DATABASE_URL) are replaced, so `make bench` measures the same thing on every machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JALON_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(BASE_DIR),
            "JALON_DEBUG": "0",
            "JALON_SECRET_KEY": secrets.token_urlsafe(50),
            "JALON_ALLOWED_HOSTS": HOST,
            "JALON_DB_PATH": str(workdir / "bench.sqlite3"),
            "BENCH_STATIC_ROOT": str(workdir / "static"),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """Run one manage.py command; its output, or an error that shows it."""
    done = subprocess.run(  # noqa: S603 — our own interpreter and manage.py, fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(env: dict[str, str], *, flush: bool) -> int:
    """Migrate, empty (a PostgreSQL database given to us may hold data), load the demo; the
    demo plan's id."""
    manage(env, "migrate", "--no-input")
    if flush:
        manage(env, "flush", "--no-input")
    output = manage(env, "load_demo")
    for line in output.splitlines():
        if line.startswith("Overview: /plans/"):
            return int(line.removeprefix("Overview: /plans/").strip("/"))
    raise RuntimeError(f"load_demo printed no plan:\n{output}")


def collect_static(env: dict[str, str]) -> None:
    manage(env, "collectstatic", "--no-input")


@dataclass(frozen=True)
class WorkerSetup:
    """How gunicorn serves: `sync` workers handle one request each and close the connection;
    `gthread` workers run threads and keep connections alive."""

    worker_class: str
    workers: int
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread, {self.workers} workers × {self.threads} threads"
        return f"{self.worker_class}, {self.workers} workers"

    def arguments(self) -> list[str]:
        return [
            f"--worker-class={self.worker_class}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
        ]


@dataclass(frozen=True)
class Server:
    client: Client  # anonymous, on the server's address
    group: int  # the process group of gunicorn and its workers: whose CPU time is ours


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(env: dict[str, str], setup: WorkerSetup, log: Path) -> Iterator[Server]:
    """Serve Jalon with gunicorn until the block ends, then stop it and all its workers, also
    when the block fails or the benchmark is interrupted."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "jalon.wsgi:application",
        f"--bind={HOST}:{port}",
        *setup.arguments(),
        "--log-level=warning",
        f"--error-logfile={log}",
        "--no-control-socket",  # else it leaves a socket in ~/.gunicorn
    ]
    # A session of its own: its process group holds the master and its workers, so that stopping
    # it by its id stops them all and nothing else.
    process = subprocess.Popen(  # noqa: S603 — our own interpreter, fixed arguments
        command, env=env, cwd=BASE_DIR, start_new_session=True, stdin=subprocess.DEVNULL
    )
    try:
        client = Client(HOST, port)
        try:
            wait_until_up(client, FLOOR_PATH, deadline=time.monotonic() + 60)
        except RuntimeError as error:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"gunicorn did not start: {error}\n{tail}") from error
        yield Server(client, process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL the group if it takes more than 10 s."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass  # the group ended on its own
    # Workers outlive a master killed hard; whatever is left of the group goes too.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
