"""What people say about a plan and what they hear of it: comments, notifications, presence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jalon.organisations.models import Organisation
from jalon.plans.models import Plan
from jalon.worksheets.text import PlainTextValidator


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


COMMENT_LENGTH = 4000


class Thread(models.Model):
    """A conversation about one item of a plan, or one record of a list item, possibly about one
    of the item's options. Never deleted (but with its plan): a thread whose every comment was
    deleted is `withdrawn` and shows nowhere, so that pages' cache keys, made of the count and
    versions of a plan's threads, only ever grow."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="threads")
    item_id = models.CharField(max_length=64)
    record_uid = models.CharField(max_length=32, blank=True)
    option = models.CharField(max_length=64, blank=True)  # an option code (or maturity level)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn = models.BooleanField(default=False)
    # Bumped by every write to the thread or its comments: the step page's cached fragments and
    # ETag are keyed by the sum of a plan's thread versions, so a change is never served stale.
    version = models.PositiveIntegerField(default=0)
    # Also set by every write (services), so that the keys move on even where a restored backup
    # brings ids and versions back to earlier values.
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["plan", "item_id"])]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.item_id}:{self.record_uid or '-'} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None and not self.withdrawn


class Comment(models.Model):
    """One message of a thread. A deleted comment keeps its row, without its text, so that the
    replies after it still read as answers (« Commentaire supprimé »)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(
        _("comment"),
        max_length=COMMENT_LENGTH,
        validators=[PlainTextValidator(_("The comment"))],
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"thread {self.thread_id} #{self.pk}"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None
