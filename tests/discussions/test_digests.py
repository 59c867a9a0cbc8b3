"""Digests (issue 9, item 5): `send_digests` e-mails each person their notifications not yet
e-mailed, daily, right away, or never, as they chose; never twice, even run twice at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from jalon.accounts.models import Digest, User
from jalon.discussions.models import DigestSent, Notification
from jalon.discussions.services import digests_send, notify

Kind = Notification.Kind


def tell(plan, user: User, actor: User, summary: str = "Voir la réponse") -> Notification:
    (made,) = notify(
        recipients=[user],
        actor=actor,
        kind=Kind.COMMENT,
        plan=plan,
        summary=summary,
        url=f"/plans/{plan.pk}/",
    )
    return made


def choose(user: User, digest: str, language: str = "") -> None:
    user.digest = digest
    user.language = language
    user.save()


def send(now=None) -> str:
    out = StringIO()
    if now is None:
        call_command("send_digests", stdout=out)
    else:
        out.write(f"{digests_send(now=now)} digest e-mail(s) sent.")
    return out.getvalue()


def test_a_daily_digest_lists_the_unsent_notifications_grouped_by_plan(
    plan, other_plan, people, settings
):
    settings.JALON_BASE_URL = "https://jalon.example.org/"
    viewer = people["viewer"]
    first = tell(plan, viewer, people["owner"], "Relire la compétence")
    second = tell(plan, viewer, people["editor"], "Et le budget")
    assert "1 digest e-mail(s) sent." in send()
    (message,) = mail.outbox
    assert message.to == [viewer.email]
    assert message.subject == "Jalon\u00a0: 2 nouvelles notifications"
    assert "== Déchets solides 2027 ==" in message.body
    assert "Owner a commenté" in message.body and "Relire la compétence" in message.body
    assert f"https://jalon.example.org/notifications/{first.pk}/" in message.body
    assert f"https://jalon.example.org/notifications/{second.pk}/" in message.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # Still unread in the header: e-mailing does not read them.
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_a_daily_digest_goes_once_a_day(plan, people):
    tell(plan, people["viewer"], people["owner"])
    start = timezone.now()
    assert digests_send(now=start) == 1
    tell(plan, people["viewer"], people["owner"], "plus tard")
    assert digests_send(now=start + timedelta(hours=23)) == 0
    assert digests_send(now=start + timedelta(days=1, minutes=1)) == 1
    assert len(mail.outbox) == 2 and "plus tard" in mail.outbox[1].body
    assert "plus tard" not in mail.outbox[0].body


def test_an_immediate_digest_goes_at_the_next_run(plan, people):
    choose(people["viewer"], Digest.IMMEDIATE)
    tell(plan, people["viewer"], people["owner"], "un")
    start = timezone.now()
    assert digests_send(now=start) == 1
    tell(plan, people["viewer"], people["owner"], "deux")
    assert digests_send(now=start + timedelta(minutes=5)) == 1
    assert ["deux" in m.body for m in mail.outbox] == [False, True]


def test_no_digest_means_no_e_mail_but_the_header_still_counts(client, plan, people):
    choose(people["viewer"], Digest.NONE)
    tell(plan, people["viewer"], people["owner"])
    assert digests_send() == 0 and mail.outbox == []
    client.force_login(people["viewer"])
    assert 'aria-label="1 notification non lue"' in client.get("/").content.decode()


def test_running_twice_sends_nothing_more(plan, people):
    choose(people["editor"], Digest.IMMEDIATE)
    tell(plan, people["viewer"], people["owner"])
    tell(plan, people["editor"], people["owner"])
    assert "2 digest e-mail(s) sent." in send()
    assert "0 digest e-mail(s) sent." in send()
    assert len(mail.outbox) == 2


def test_nothing_to_send_sends_nothing(plan, people):
    assert digests_send() == 0 and mail.outbox == []


def test_the_digest_is_in_the_persons_language(plan, people, settings):
    choose(people["viewer"], Digest.DAILY, "en")
    tell(plan, people["viewer"], people["owner"], "Relire")
    tell(plan, people["commenter"], people["owner"], "Relire")
    digests_send()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english, french = by_recipient[people["viewer"].email], by_recipient[people["commenter"].email]
    assert english.subject == "Jalon: 1 new notification"
    assert "Owner commented" in english.body and "Hello Viewer," in english.body
    assert french.subject == "Jalon\u00a0: 1 nouvelle notification"
    assert "Owner a commenté" in french.body and "Bonjour Commenter," in french.body


def test_a_failed_send_gives_the_notifications_back_to_the_next_run(plan, people, monkeypatch):
    tell(plan, people["viewer"], people["owner"])

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("jalon.discussions.services.send_mail", refuse)
    assert digests_send() == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    assert DigestSent.objects.get(user=people["viewer"]).sent_at is None
    monkeypatch.undo()
    assert digests_send() == 1 and len(mail.outbox) == 1


def test_digest_text_is_sent_as_written(plan, people):
    tell(plan, people["viewer"], people["owner"], "<b>gras</b> & « guillemets »")
    digests_send()
    assert "<b>gras</b> & « guillemets »" in mail.outbox[0].body  # plain text, not HTML


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_a_notification_twice(plan, people):
    """Two servers' cron at the same minute: threads, each with its own connection, start
    together; every notification is e-mailed by exactly one of them."""
    for role in ("viewer", "commenter", "editor"):
        choose(people[role], Digest.IMMEDIATE)
        for number in range(5):
            tell(plan, people[role], people["owner"], f"{role} {number}")
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(digests_send())
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(counts) == 2
    assert sum(counts) == 3  # one e-mail per person, whichever run sent it
    sent = [line for m in mail.outbox for line in m.body.splitlines() if "  " in line]
    for role in ("viewer", "commenter", "editor"):
        for number in range(5):
            assert sent.count(f"  {role} {number}") == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_run_started_while_another_is_sending_sends_nothing_more(plan, people, monkeypatch):
    """The second run comes while the first is talking to the mail server: the notifications
    are already claimed in the database, so it has nothing to send."""
    choose(people["viewer"], Digest.IMMEDIATE)
    tell(plan, people["viewer"], people["owner"])
    from django.core.mail import send_mail as real_send_mail

    during: list[int] = []

    def slow_send(*args, **kwargs):
        during.append(digests_send())
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr("jalon.discussions.services.send_mail", slow_send)
    assert digests_send() == 1
    assert during == [0] and len(mail.outbox) == 1
