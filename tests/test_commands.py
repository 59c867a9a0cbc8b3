"""The management commands fail cleanly: a person's mistake or a data problem ends in one clear
line on stderr and a non-zero exit, never a traceback (a `CommandError`, which Django prints as
one line; any other exception would print a traceback)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from jalon.organisations.models import Invitation, Membership, Role
from jalon.plans.models import Answer

HUGE = "99999999999999999999999"
ROOT = Path(__file__).resolve().parents[1]


def fails_cleanly(*args: str) -> str:
    """The command's one-line message; fails the test on any other exception or on success."""
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    return str(refused.value)


@pytest.fixture
def plan_file(tmp_path, plan, people) -> Path:
    path: Path = tmp_path / "plan.json"
    call_command("export_plan", str(plan.pk), "--format", "json", "--output", str(path))
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((HUGE, "--format", "pdf", "--output", "x.pdf"), "No plan with id"),
        (("-1", "--format", "pdf", "--output", "x.pdf"), "No plan with id"),
        (("0", "--format", "pdf", "--output", "x.pdf"), "No plan with id"),
        (("12", "--format", "exe", "--output", "x"), "invalid choice"),
        (("12", "--format", "pdf", "--output", "x", "--lang", "wo"), "invalid choice"),
        (("douze", "--format", "pdf", "--output", "x"), "invalid int value"),
    ],
)
def test_export_plan_refuses_bad_arguments(db, args, message):
    assert message in fails_cleanly("export_plan", *args)


def test_export_plan_says_when_it_cannot_write(plan, tmp_path):
    missing = tmp_path / "nowhere" / "plan.pdf"
    message = fails_cleanly(
        "export_plan", str(plan.pk), "--format", "csv", "--output", str(missing)
    )
    assert "Cannot write" in message and str(missing) in message
    message = fails_cleanly(
        "export_plan", str(plan.pk), "--format", "csv", "--output", str(tmp_path)
    )
    assert "Cannot write" in message


def test_export_plan_builds_every_format_of_a_plan_holding_old_hostile_text(plan, tmp_path):
    """Text stored before the text rule (written here straight to the table) still exports."""
    Answer.objects.create(plan=plan, item_id="competences", value="a\x1bb\x07c\uffff", version=1)
    for format_code in ("pdf", "docx", "xlsx", "csv", "json"):
        output = tmp_path / f"plan.{format_code}"
        call_command(
            "export_plan", str(plan.pk), "--format", format_code, "--output", str(output),
            stdout=StringIO(),
        )  # fmt: skip
        assert output.stat().st_size > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read"),
        (b"", "empty"),
        (b"\x89PNG\r\n", "not UTF-8"),
        (b'{"format": "jalon-plan"', "cut off"),
    ],
)
def test_import_plan_refuses_a_bad_file(english, organisation, tmp_path, content, message):
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_bytes(content)
    assert message in fails_cleanly("import_plan", str(path), "--organisation", "1")


def test_import_plan_refuses_a_directory(organisation, tmp_path):
    assert "cannot be read" in fails_cleanly(
        "import_plan", str(tmp_path), "--organisation", str(organisation.pk)
    )


@pytest.mark.parametrize("organisation_id", [HUGE, "-5", "0", "424242"])
def test_import_plan_refuses_an_unknown_municipality(plan_file, organisation_id):
    message = fails_cleanly("import_plan", str(plan_file), "--organisation", organisation_id)
    assert "No municipality has the id" in message


def test_import_plan_refuses_someone_who_is_not_a_member(plan_file, organisation):
    message = fails_cleanly(
        "import_plan", str(plan_file), "--organisation", str(organisation.pk), "--user", "x@y.z"
    )
    assert "is not a member" in message


def test_backup_says_when_it_cannot_write(db, tmp_path):
    assert "Cannot write" in fails_cleanly("backup", str(tmp_path / "nowhere" / "b.jsonl.gz"))
    assert "Cannot write" in fails_cleanly("backup", str(tmp_path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "not a Jalon backup"),
        (b"garbage\n", "not valid JSON"),
        (gzip.compress(b'{"jalon_backup": 1}\n')[:-12], "truncated"),
        (b'{"format": "jalon-plan"}\n', "not a Jalon backup"),
    ],
)
def test_restore_refuses_a_bad_file(db, tmp_path, content, message):
    path = tmp_path / "backup.jsonl.gz"
    if content is not None:
        path.write_bytes(content)
    assert message in fails_cleanly("restore", str(path))


def test_restore_refuses_a_directory(db, tmp_path):
    assert str(tmp_path) in fails_cleanly("restore", str(tmp_path))


def test_from_the_shell_a_mistake_is_one_line_on_stderr_and_a_non_zero_exit(tmp_path):
    """The real command line, as a person types it: no traceback, one line, exit 1."""
    env = {**os.environ, "JALON_DB_PATH": str(tmp_path / "db.sqlite3")}
    env.pop("DATABASE_URL", None)  # an empty SQLite database is enough to be refused
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    for args in (
        ["export_plan", HUGE, "--format", "pdf", "--output", str(tmp_path / "x.pdf")],
        ["import_plan", str(tmp_path / "missing.json"), "--organisation", HUGE],
        ["restore", str(tmp_path)],
        ["invite", "awa@example.org", "--organisation", HUGE, "--role", "editor"],
    ):
        done = subprocess.run(  # noqa: S603  (this interpreter, fixed arguments)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stderr.startswith("CommandError: ")


# invite -------------------------------------------------------------------------------------


def test_invite_prints_a_working_link_on_its_last_line(client, plan, people):
    out = StringIO()
    call_command(
        "invite", "Awa@Example.org", "--organisation", str(plan.organisation_id),
        "--role", "commenter", "--plan", str(plan.pk), "--language", "en", stdout=out,
    )  # fmt: skip
    link = out.getvalue().strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/invitations/")
    invitation = Invitation.objects.get()
    assert invitation.invited_by == people["owner"]  # no --by: the first owner
    assert "invites you to work" in mail.outbox[0].body and link in mail.outbox[0].body
    path = link.removeprefix("http://127.0.0.1:8000")
    response = client.post(
        path, {"name": "Awa", "password1": "un-long-mot-42-x", "password2": "un-long-mot-42-x"}
    )
    assert response["Location"] == f"/plans/{plan.pk}/"
    member = Membership.objects.get(user__email="awa@example.org")
    assert member.role == Role.COMMENTER


def test_invite_builds_links_from_the_base_url_setting(plan, settings):
    settings.JALON_BASE_URL = "https://jalon.example.sn"
    out = StringIO()
    call_command(
        "invite", "a@example.org", "--organisation", str(plan.organisation_id), "--role",
        "viewer", stdout=out,
    )  # fmt: skip
    assert out.getvalue().strip().splitlines()[-1].startswith("https://jalon.example.sn/inv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("not-an-address", "--role", "viewer"), "is not an e-mail address"),
        (("a@example.org", "--role", "boss"), "invalid choice"),
        (("a@example.org", "--role", "viewer", "--plan", HUGE), "has no plan with the id"),
        (("a@example.org", "--role", "viewer", "--plan", "-3"), "has no plan with the id"),
        (("a@example.org", "--role", "viewer", "--by", "editor@example.org"), "is not an owner"),
        (("a@example.org", "--role", "viewer", "--language", "wo"), "invalid choice"),
        (("editor@example.org", "--role", "viewer"), "is already a member"),
    ],
)
def test_invite_refuses_bad_input(organisation, args, message):
    assert message in fails_cleanly("invite", *args, "--organisation", str(organisation.pk))
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("organisation_id", [HUGE, "-5", "0", "424242"])
def test_invite_refuses_an_unknown_municipality(db, organisation_id):
    message = fails_cleanly(
        "invite", "a@example.org", "--organisation", organisation_id, "--role", "viewer"
    )
    assert "No municipality has the id" in message
