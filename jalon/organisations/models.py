from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do; each role can do everything the ones below it can."""

    OWNER = "owner", _("Owner")  # manages members and everything else
    EDITOR = "editor", _("Editor")  # writes answers and plans
    COMMENTER = "commenter", _("Commenter")  # reads and comments
    VIEWER = "viewer", _("Viewer")  # reads


class Organisation(models.Model):
    """A municipality (or the team that plans for it)."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    currency = models.CharField(
        _("currency"), max_length=3, default="XOF", help_text=_("Three-letter code, e.g. XOF, EUR.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    # Named by an owner to validate plans, beside the owners themselves (a facilitator, the head
    # of the technical service).
    validator = models.BooleanField(_("may validate plans"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) @ {self.organisation}"


class Invitation(models.Model):
    """An address asked to join a municipality with a role, through a link sent to it.

    The link carries a random token; only its SHA-256 is kept, so a copy of the database gives
    no working link. It works once, until `expires`, unless revoked (a resend revokes it and
    makes a new invitation)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    # Where the person lands once they accept: the plan they were invited from, if any. A string
    # reference: plans sit above organisations and are not imported here.
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("e-mail address"))  # stored in lower case
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    message = models.CharField(_("message"), max_length=500, blank=True)
    language = models.CharField(_("language of the e-mail"), max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("created"))
    expires = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["invited_by", "created"]),  # the hourly limit
            models.Index(fields=["organisation", "-created"]),  # pending list, activity
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) @ {self.organisation_id}"

    def state_at(self, now: datetime) -> "Invitation.State":
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires <= now:
            return self.State.EXPIRED
        return self.State.PENDING
