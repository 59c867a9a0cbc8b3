from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of their Jalon account"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
