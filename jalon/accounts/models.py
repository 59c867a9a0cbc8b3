from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str | None) -> "User":
        """Log in with the address however it is capitalised: people type it on phones."""
        return self.get(email__iexact=email)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class Digest(models.TextChoices):
    """How often a person hears by e-mail about what concerns them in their plans."""

    DAILY = "daily", _("Once a day")
    # Sent by the next run of `send_digests` (every few minutes from cron), not by the request.
    IMMEDIATE = "immediate", _("Within a few minutes")
    NONE = "none", _("Never")


class User(AbstractUser):
    """A person: signs in with an e-mail address and is shown by name (« Enregistré par Awa »)."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    # The language of the pages and of the e-mails this person gets; empty until they choose one
    # (the pages then follow the language switch, e-mails are in French).
    language = models.CharField(_("language"), max_length=8, blank=True)
    digest = models.CharField(
        _("e-mail digest"), max_length=10, choices=Digest.choices, default=Digest.DAILY
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(
        _("name"), max_length=NAME_LENGTH, validators=[PlainTextValidator(_("name"))]
    )
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    # Updated at most once a minute (jalon.accounts.tokens): not a write on every request.
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
