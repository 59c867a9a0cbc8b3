from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator

from .models import User


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
