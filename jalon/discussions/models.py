"""What people say about a plan and what they hear of it: comments, notifications, presence."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jalon.organisations.models import Organisation
from jalon.plans.models import Plan


class Visit(models.Model):
    """When a person last looked at a plan (or, with no plan, at a municipality's activity), for
    « new since your last visit ».

    `seen_at` moves at most every few minutes (services.visit_record), so a visit is a sitting,
    not a page view; `previous_seen_at` is the sitting before, what « new » is measured from, so
    that going from the overview to the activity page still shows what was new."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    seen_at = models.DateTimeField()
    previous_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "plan"], condition=Q(plan__isnull=False), name="one_visit_per_plan"
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(plan__isnull=True),
                name="one_visit_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.plan_id or self.organisation_id}: {self.seen_at}"
