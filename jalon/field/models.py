from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jalon.plans.models import Plan


class SubmissionImport(models.Model):
    """A worksheet submission brought into an existing plan, as proposals the person accepts or
    rejects one by one. Kept here, not in the session: a slow connection or a closed tab loses
    nothing, and a colleague's change made meanwhile shows as a conflict when it is applied."""

    class Status(models.TextChoices):
        CHOOSING = "choosing", _("To choose")  # the file holds several submissions
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="submission_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    applied = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=20, blank=True)
    form = models.CharField(max_length=120, blank=True)  # the form's mark (naming.Mark)
    # The checked submissions of the file (`field.services.entry_json`), and once one is chosen
    # its index and the proposals made from it, each with its decision and outcome.
    entries = models.JSONField(default=list)
    chosen = models.PositiveIntegerField(null=True, blank=True)
    proposals = models.JSONField(default=list)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.file_name}"


class OperatorResponse(models.Model):
    """One operator's answers to the operators' survey, kept as evidence for step 2 of a plan.

    Answers are stored as the survey's codes (question id → code, list of codes or text), never
    labels, like a plan's answers. `instance_id` is the collecting tool's id of the submission
    (ODK's `instanceID`, Kobo's `_uuid`): importing the same file twice adds nothing."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="operator_responses")
    survey_id = models.CharField(max_length=64)
    survey_version = models.PositiveIntegerField()
    instance_id = models.CharField(max_length=200)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    answers = models.JSONField(default=dict)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.CharField(_("source file"), max_length=255, blank=True)
    imported = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("operator’s response")
        verbose_name_plural = _("operators’ responses")
        ordering = ["submitted", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "instance_id"], name="one_operator_response_per_instance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.instance_id}"
