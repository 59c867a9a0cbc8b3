"""`send_digests`: e-mail each person the notifications they have not been e-mailed, when their
digest is due (daily: a day after the last one; immediate: any). For cron, e.g. every 5 minutes
(`*/5 * * * * manage.py send_digests`): a daily digest still goes once a day, and « right away »
means within those minutes. Safe to run twice, and on two servers at once."""

from typing import Any

from django.core.management.base import BaseCommand

from jalon.discussions.services import digests_send


class Command(BaseCommand):
    help = "E-mail the notification digests that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send()
        self.stdout.write(f"{sent} digest e-mail(s) sent.")
