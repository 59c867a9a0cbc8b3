from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from jalon.organisations.models import Role
from jalon.plans.models import Plan, PlanVersion, ReviewEvent, Revision, Versioned
from jalon.plans.review import event_message
from jalon.worksheets.answers import ItemState
from jalon.worksheets.schema import Field, Group, Item, Option

register = template.Library()


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


@register.simple_tag
def plan_origin(plan: Plan) -> str:
    """« Importé le 01/12/2026 d'après le fichier exporté par Commune X le 28/11/2026 », for a
    plan made from a plan file; empty for a plan started here."""
    if plan.imported_at is None:
        return ""
    date = _day(plan.imported_at)
    if plan.imported_from and plan.imported_file_date:
        return _("Imported on %(date)s from the file exported by %(source)s on %(file_date)s") % {
            "date": date,
            "source": plan.imported_from,
            "file_date": _day(plan.imported_file_date),
        }
    if plan.imported_from:
        return _("Imported on %(date)s from the file exported by %(source)s") % {
            "date": date,
            "source": plan.imported_from,
        }
    return _("Imported on %(date)s from a plan file") % {"date": date}


@register.simple_tag
def written_by(target: Versioned | Revision) -> str:
    """« écrit par Awa Demba le 25/11/2026 »: the author and date a plan file gave a value."""
    if target.file_author and target.file_updated:
        return _("written by %(by)s on %(date)s") % {
            "by": target.file_author,
            "date": _day(target.file_updated),
        }
    if target.file_author:
        return _("written by %(by)s") % {"by": target.file_author}
    if target.file_updated:
        return _("written on %(date)s") % {"date": _day(target.file_updated)}
    return ""


@register.simple_tag
def saved_line(target: Versioned | None, plan: Plan | None = None) -> str:
    """« Enregistré à 14:02 par Awa », or with the date when it was not today; for a value
    imported and not changed since, where it came from and who wrote it."""
    if target is None or not getattr(target, "pk", None) or not target.version:
        return ""
    if target.imported and plan is not None:
        return " · ".join(part for part in (plan_origin(plan), written_by(target)) if part)
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
    return _("%(date)s at %(time)s") % {
        "date": date_format(local, "SHORT_DATE_FORMAT"),
        "time": time_format(local, "H:i"),
    }


@register.simple_tag
def state_word(state: ItemState) -> str:
    """« complète », « en cours », « à faire »: a state said in words, never by colour alone."""
    words = {
        ItemState.COMPLETE: _("complete"),
        ItemState.STARTED: _("in progress"),
        ItemState.EMPTY: _("to do"),
    }
    return str(words[ItemState(state)])


@register.filter
def options_beyond_label(field: Field) -> str:
    """A field's options as one line of text (« a, b, c »; a family as « Family: a, b »), or
    nothing when its question already names them all, as the worksheet's often do."""
    label = str(field.label).casefold()
    leaves = [leaf for option in field.options for leaf in (option.options or (option,))]
    if all(str(leaf.label).casefold() in label for leaf in leaves):
        return ""
    return _option_labels(field.options)


@register.filter
def named_by_reference(item: Item) -> bool:
    """Records named after the record they point to (a perimeter by its pilot action)."""
    title = item.field(item.title_field or "")
    return title is not None and title.references is not None


def _option_labels(options: tuple[Option, ...]) -> str:
    parts = []
    for option in options:
        if option.options:
            parts.append(
                _("%(family)s: %(options)s")
                % {
                    "family": option.label,
                    "options": ", ".join(str(o.label) for o in option.options),
                }
            )
        else:
            parts.append(str(option.label))
    return "; ".join(parts) if any(o.options for o in options) else ", ".join(parts)


@register.filter
def field_groups(item: Item) -> list[tuple[Group | None, tuple[Field, ...]]]:
    """A list's fields by group, in the definition's order (ungrouped first)."""
    groups: list[tuple[Group | None, tuple[Field, ...]]] = [(None, item.fields_in(None))]
    groups += [(group, item.fields_in(group.id)) for group in item.groups]
    return [(group, fields) for group, fields in groups if fields]


@register.filter
def role_name(role: str) -> str:
    """A role's name in the reader's language, lower case as it reads inside a sentence."""
    return str(Role(role).label).lower() if role in Role.values else ""


@register.simple_tag
def review_said(event: ReviewEvent) -> str:
    """What the review event says, in the reader's language."""
    return event_message(event)


@register.filter
def version_name(version: PlanVersion) -> str:
    """A version as lists name it: a validation in the reader's language, to the minute (two
    validations a day stay apart); a snapshot by the name its team gave it."""
    if version.kind == PlanVersion.Kind.VALIDATION:
        return _("Validated on %(date)s") % {"date": when(version.created)}
    return version.name
