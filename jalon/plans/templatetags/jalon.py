from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from jalon.plans.models import Versioned

register = template.Library()


@register.simple_tag
def saved_line(target: Versioned | None) -> str:
    """« Enregistré à 14:02 par Awa », or with the date when it was not today."""
    if target is None or not getattr(target, "pk", None) or not target.version:
        return ""
    when = timezone.localtime(target.updated)
    by = str(target.updated_by) if target.updated_by else _("someone")
    if when.date() == timezone.localdate():
        return _("Saved at %(time)s by %(by)s") % {"time": time_format(when, "H:i"), "by": by}
    return _("Saved on %(date)s at %(time)s by %(by)s") % {
        "date": date_format(when, "SHORT_DATE_FORMAT"),
        "time": time_format(when, "H:i"),
        "by": by,
    }


@register.filter
def when(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {time_format(local, 'H:i')}"
