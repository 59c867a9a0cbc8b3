from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jalon.organisations.models import Organisation
from jalon.worksheets.text import PlainTextValidator

# Ids are 64-bit integers on every database: a larger number names nothing (and would fail in
# the query itself), so a command or a URL given one answers « not found ».
MAX_ID = 2**63


class UrbanService(models.TextChoices):
    DRINKING_WATER = "drinking_water", _("Drinking water")
    SANITATION = "sanitation", _("Sanitation")
    SOLID_WASTE = "solid_waste", _("Solid waste")
    MOBILITY = "mobility", _("Mobility and transport")
    STREET_LIGHTING = "street_lighting", _("Street lighting")
    MARKETS = "markets", _("Markets")
    ENERGY = "energy", _("Energy")
    CIVIL_REGISTRY = "civil_registry", _("Civil registry")
    OTHER = "other", _("Other")


class ReviewState(models.TextChoices):
    """Where a plan stands in its review: written, read by a validator, sent back, signed off."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    VALIDATED = "validated", _("Validated")


class Plan(models.Model):
    """One plan for one urban service, pinned to the worksheet version it began with."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plans")
    service = models.CharField(_("urban service"), max_length=40, choices=UrbanService.choices)
    service_other = models.CharField(_("other service"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=200)
    definition_id = models.CharField(max_length=64)
    definition_version = models.PositiveIntegerField()
    definition_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # A plan made from a plan file: when (`created_by` imported it), and what the file said of
    # where it came from. Empty for a plan started here.
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_from = models.CharField(max_length=1000, blank=True)  # the file's municipality
    imported_file_date = models.DateTimeField(null=True, blank=True)  # when it was exported
    # The date by which the plan should be carried out: the roadmap's lines should end by then
    # (a consistency rule says so). Empty: not set.
    horizon = models.DateField(_("horizon"), null=True, blank=True)
    # When its operators' survey responses last changed (jalon.field), None while it has none:
    # step 2 reads them only then, and keeps their summary cached under this moment.
    operators_updated = models.DateTimeField(null=True, blank=True)
    # Changed only by jalon.plans.review, each change with its ReviewEvent.
    review_state = models.CharField(
        _("review state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.title

    @property
    def service_aside(self) -> str:
        """The service's name where it adds to the title (« Eau potable » after « Eau potable »
        would only repeat it)."""
        service = self.service_name
        return "" if service.casefold() in self.title.casefold() else service

    @property
    def service_name(self) -> str:
        if self.service == UrbanService.OTHER and self.service_other:
            return self.service_other
        return str(UrbanService(self.service).label)


class Versioned(models.Model):
    """What autosave writes to: a version for optimistic locking, and the last writer's client and
    sequence number, so a late, older autosave of the same browser tab is recognised and ignored."""

    version = models.PositiveIntegerField(default=0)
    last_client = models.CharField(max_length=64, blank=True)
    last_seq = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Imported and not changed since: who wrote it and when, as the plan file says (a name from
    # another server, not an account here). Cleared by the next save.
    file_author = models.CharField(max_length=150, blank=True)
    file_updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def imported(self) -> bool:
        return bool(self.file_author or self.file_updated)


class Answer(Versioned):
    """The answer to one (non-list) item of a plan; the value's shape depends on the item's kind."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="answers")
    item_id = models.CharField(max_length=64)
    value = models.JSONField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "item_id"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.item_id}"


class Record(Versioned):
    """One record of a list item (a pilot action, an actor, an indicator…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="records")
    item_id = models.CharField(max_length=64)
    uid = models.CharField(max_length=32, unique=True)  # stable across exports and imports
    position = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "position", "id"]
        indexes = [models.Index(fields=["plan", "item_id", "position"])]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.item_id}:{self.uid}"


class Revision(models.Model):
    """One accepted change, never edited: who, when, what it was before and what it became."""

    class Action(models.TextChoices):
        SET = "set", _("changed")
        ADD = "add", _("added")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("removed")
        MOVE = "move", _("moved")
        IMPORT = "import", _("imported")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    item_id = models.CharField(max_length=64)
    record_uid = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    version = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # An import: the author and date the plan file gives for the value (`user` imported it).
    file_author = models.CharField(max_length=150, blank=True)
    file_updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["plan", "item_id", "-created"])]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.item_id} {self.action} v{self.version}"


class PlanVersion(models.Model):
    """A dated, read-only copy of a whole plan: what was validated (or, later, a snapshot someone
    chose to keep). `content` holds the plan's answers and records with who wrote them and when,
    as plain JSON, so that later edits, renamed accounts or removed members never change it."""

    class Kind(models.TextChoices):
        VALIDATION = "validation", _("Validated version")
        SNAPSHOT = "snapshot", _("Snapshot")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    definition_id = models.CharField(max_length=64)
    definition_version = models.PositiveIntegerField()
    definition_hash = models.CharField(max_length=64)
    content = models.JSONField()
    # A validation: who signed it off (their name then, and their role then), when, and what
    # they said; empty for a snapshot.
    validated_by = models.CharField(max_length=150, blank=True)
    validated_role = models.CharField(max_length=20, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.name}"


class ReviewEvent(models.Model):
    """One change of a plan's review state, never edited: who (and their role then), when, from
    which state to which, what they said, and the version it froze, if any."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="review_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the account goes
    role = models.CharField(max_length=20, blank=True)
    from_state = models.CharField(max_length=20, choices=ReviewState.choices)
    to_state = models.CharField(max_length=20, choices=ReviewState.choices)
    message = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    version = models.ForeignKey(
        PlanVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["plan", "-created"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_state} → {self.to_state}"


class AdviceSetAside(models.Model):
    """A piece of consistency advice a member set aside, and why: it no longer shows among the
    advice while the rule still fires on the same record. Never deleted: restoring it stamps
    `restored_*`, so setting aside and restoring both stay in the plan's history."""

    REASON_LENGTH = 500

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="advice_set_aside")
    rule = models.CharField(max_length=64)  # the rule's id, stable across rules files
    record_uid = models.CharField(max_length=32, blank=True)  # empty: advice on the plan
    # Where the advice shows (the record's list, or the rule's first item), for the history's
    # link and its step filter.
    item_id = models.CharField(max_length=64)
    reason = models.TextField(
        _("reason"),
        max_length=REASON_LENGTH,
        validators=[PlainTextValidator(_("reason"))],
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_by_name = models.CharField(max_length=150, blank=True)  # kept if the account goes
    created = models.DateTimeField(auto_now_add=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    restored_by_name = models.CharField(max_length=150, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("advice set aside")
        verbose_name_plural = _("advice set aside")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "rule", "record_uid"],
                condition=models.Q(restored_at__isnull=True),
                name="one_set_aside_per_advice",
            )
        ]
        indexes = [models.Index(fields=["plan", "-created"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.rule} {self.record_uid}".rstrip()
