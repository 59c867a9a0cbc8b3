from typing import Any

from django.core.management.base import BaseCommand
from django.urls import reverse

from jalon.plans.demo import DEMO_USER, PASSWORD, demo_plan, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: an account, a fictional municipality and one plan answered on every item. "
        "Does nothing when the demo is already loaded."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        already_loaded = demo_plan() is not None
        plan = load_demo()
        if already_loaded:
            self.stdout.write(f"The demo was already loaded: plan {plan.pk}, nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: plan {plan.pk}."))
        self.stdout.write(f"Overview: {reverse('plan_overview', args=[plan.pk])}")
        self.stdout.write(f"Login: {DEMO_USER['email']} / {PASSWORD}")
