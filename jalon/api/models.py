from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class AccessToken(models.Model):
    """A personal access token for the JSON API: a script or another system acting as its
    owner, with the owner's roles, and no more than its scope allows.

    Only a SHA-256 of the secret is kept (a random 32-byte secret needs no slow hash: it
    cannot be guessed from its hash); the person sees the secret once, when it is made, and
    then recognises the token by its prefix."""

    NAME_LENGTH = 100

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(
        _("name"), max_length=NAME_LENGTH, validators=[PlainTextValidator(_("name"))]
    )
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    # Updated at most once a minute (jalon.api.tokens): not a write on every request.
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
