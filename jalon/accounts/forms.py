from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator

from .models import AccessToken, Scope, User
from .tokens import DEFAULT_DAYS, MAX_DAYS


class SignupForm(UserCreationForm[User]):
    class Meta:
        model = User
        fields = ("name", "email")
        labels = {"name": _("Your name"), "email": _("E-mail address")}
        help_texts = {"name": _("Shown to your colleagues next to what you write.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form starts with the name, not the e-mail address Django focuses by default; and
        # phones can fill both in (WCAG 1.3.5).
        self.fields["email"].widget.attrs.pop("autofocus", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs.update(autofocus=True, autocomplete="name")
        self.fields["name"].validators.append(PlainTextValidator(_("Your name")))

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already uses this address. Log in instead."))
        return email


class ProfileForm(forms.ModelForm[User]):
    """What a person chooses for themselves: how they are shown, their language, their digest."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages and of the e-mails Jalon sends you."),
    )

    class Meta:
        model = User
        fields = ("name", "language", "digest")
        labels = {"name": _("Your name"), "digest": _("E-mail digest")}
        help_texts = {
            "name": _("Shown to your colleagues next to what you write."),
            "digest": _(
                "Comments, mentions and reviews that concern you, by e-mail. They always show "
                "in the header."
            ),
        }
        widgets = {"digest": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["name"].validators.append(PlainTextValidator(_("Your name")))
        if not self.initial.get("language"):  # not chosen yet: the language of the page
            self.initial["language"] = get_language()


class TokenForm(forms.Form):
    """A new personal access token: what it is for, whether it may write, how long it lasts."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=AccessToken.NAME_LENGTH,
        help_text=_("What will use it, e.g. “Regional dashboard”."),
        validators=[PlainTextValidator(_("Token name"))],
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the profile form beside it on the page has a `name` field too, and a
        # label must point at its own field.
        kwargs.setdefault("auto_id", "token_%s")
        super().__init__(*args, **kwargs)
