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
