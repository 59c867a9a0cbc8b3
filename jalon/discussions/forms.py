"""The comment forms: what a person sends, checked like every text of Jalon before the services
check it against the plan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.text import PlainTextValidator

from .models import COMMENT_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_LENGTH,
        validators=[PlainTextValidator(_("The comment"))],
        widget=forms.Textarea,
    )


class ThreadForm(CommentForm):
    """A new thread: what it is about (the item; a record of it, an option of it) and its first
    comment. The services check the item, record and option exist in the plan."""

    item = forms.CharField(max_length=64, validators=[PlainTextValidator()])
    record = forms.CharField(max_length=32, required=False, validators=[PlainTextValidator()])
    option = forms.CharField(max_length=64, required=False, validators=[PlainTextValidator()])
