from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from jalon.accounts.models import User
from jalon.worksheets.text import PlainTextValidator

from .models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[PlainTextValidator(_("Message"))],
        help_text=_("A few words shown in the e-mail, e.g. why you invite them."),
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        required=False,
        choices=[
            ("", _("Theirs if they chose one, else yours")),
            ("fr", "Français"),
            ("en", "English"),
        ],
    )

    def __init__(
        self, *args: Any, plans: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        """`plans`: the municipality's plans, one of which the person may be sent to."""
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"  # someone else's address
        if plans:
            self.fields["plan"] = forms.TypedChoiceField(
                label=_("Plan they land on (optional)"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("None: the municipality's page")), *plans],
            )


class AcceptForm(forms.Form):
    """A new account for an invited address: the address comes from the invitation."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        validators=[PlainTextValidator(_("Your name"))],
        help_text=_("Shown to your colleagues next to what you write."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Enter the same password as before, for verification."),
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two password fields didn’t match."))
        elif first:
            candidate = User(email=self.email, name=data.get("name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # Unticked boxes send nothing: a form sent without it takes the validator's right away.
    validator = forms.BooleanField(label=_("may validate"), required=False)


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the municipality"),
        max_length=200,
        validators=[PlainTextValidator(_("Name of the municipality"))],
    )
    country = forms.CharField(
        label=_("Country"), max_length=100, validators=[PlainTextValidator(_("Country"))]
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        validators=[PlainTextValidator(_("Town or city"))],
        help_text=_("Where the municipality is: often its own name, e.g. Dakar for Médina."),
    )
    currency = forms.RegexField(
        label=_("Currency of budgets"),
        regex=r"^[A-Za-z]{3}$",
        initial="XOF",
        max_length=3,
        help_text=_("Three-letter code, e.g. XOF (franc CFA), EUR, MAD."),
    )
