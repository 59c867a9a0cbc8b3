from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(UserCreationForm[User]):
    class Meta:
        model = User
        fields = ("name", "email")
        labels = {"name": _("Your name"), "email": _("E-mail address")}
        help_texts = {"name": _("Shown to your colleagues next to what you write.")}

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already uses this address. Log in instead."))
        return email
