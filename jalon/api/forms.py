from django import forms
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator

from .models import AccessToken, Scope
from .tokens import DEFAULT_DAYS, MAX_DAYS


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
