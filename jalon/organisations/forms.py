from django import forms
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator

from .models import Role


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of their Jalon account"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


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
