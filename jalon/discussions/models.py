"""What people say about a plan and hear of it: visits, comments, notifications, presence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
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


class Notification(models.Model):
    """Something that concerns one person in a plan: shown in their header until read, and
    e-mailed once in their digest (unless they chose no digest)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        MENTION = "mention", _("mention")
        REVIEW_REQUESTED = "review_requested", _("review requested")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        VALIDATED = "validated", _("validated")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="notifications")
    item_id = models.CharField(max_length=64, blank=True)
    record_uid = models.CharField(max_length=32, blank=True)
    # Plain text (a comment's first words, a reviewer's message): escaped wherever it is shown.
    summary = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500)  # a path in Jalon, never another host
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            # The header's count, on every page: only the unread rows are in this index.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # The digests: a person's rows not e-mailed yet.
            models.Index(
                fields=["recipient"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
            models.Index(fields=["recipient", "-created"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.plan_id})"

    def headline(self) -> str:
        """What happened, in the reader's language (the active one when it is called)."""
        actor = str(self.actor) if self.actor else gettext("Someone")
        headlines = {
            self.Kind.COMMENT: gettext("%(actor)s commented"),
            self.Kind.MENTION: gettext("%(actor)s mentioned you"),
            self.Kind.REVIEW_REQUESTED: gettext("%(actor)s asks for a review of the plan"),
            self.Kind.CHANGES_REQUESTED: gettext("%(actor)s asks for changes to the plan"),
            self.Kind.VALIDATED: gettext("%(actor)s validated the plan"),
        }
        return headlines.get(self.Kind(self.kind), "%(actor)s") % {"actor": actor}


class DigestSent(models.Model):
    """When a person's last digest went out: a daily digest waits a day after it. In the database,
    so that servers running `send_digests` at the same time agree (GUIDE §7)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.sent_at}"


class Presence(models.Model):
    """Where a person last typed in a plan, and when; one row per person and plan. `polled_at`
    throttles the presence poll (in the database: every server sees it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=64, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "plan"], name="one_presence_per_plan")
        ]
        indexes = [models.Index(fields=["plan", "seen_at"], name="presence_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.plan_id}:{self.item_id}"
