"""Rendered parts of plan pages, and its deliverables, cached so that a save re-renders only what
it changed.

A step page is the hot path of Jalon and its bulk is the forms of its items. Each item's HTML is
cached on its own (`cached_items`), under a key made of everything that shows in it: its answer
or records (value, version, who saved and when, imported provenance), the titles of the records
its references can name, the reader's right to edit, the language, the definition, the plan's
import details and currency, and today's date (« Enregistré à 14:02 » versus « le 24/11 à
14:02 »). A colleague's save changes one item's key: only that item is rendered again, the
others come from the cache. The parts that depend on the whole plan (step bar, contents, section
states, « next unanswered question ») are rendered with a slot for each item and cached under
those states (`cached_shell`); each request puts the items' HTML in their slots.

The page as a whole is also cached under the plan's last change (`cached_parts`, `Plan.updated`,
which every write bumps in `services._lock`), so an unchanged plan costs no query for answers.
Keys are never reused for other content, so nothing needs invalidating and servers that do not
share a cache stay correct. One thing shows in a page without being a write to its plan: the name
of the colleague who saved a value. Renaming an account reaches the items' keys, but the whole
page's key and its ETag only at the plan's next change.

The CSRF token differs per session, so fragments are stored with a placeholder that each request
fills with its own token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from jalon.worksheets.schema import Item

from .models import Plan, Versioned
from .selectors import PlanState

CSRF_SLOT = "jalon-csrf-slot"  # rendered where {% csrf_token %} puts the token
SECONDS = 60 * 60

Parts = TypeVar("Parts", bound=tuple[str, ...])


def cached_parts(
    request: HttpRequest, plan: Plan, name: str, render: Callable[[], Parts]
) -> tuple[SafeString, ...]:
    """The HTML parts `render()` makes for this plan as it is now, from the cache if possible,
    with this request's CSRF token. `render` must render its templates with
    `csrf_token=CSRF_SLOT` in the context."""
    key = _key(plan, name)
    parts = cache.get(key)
    if parts is None:
        parts = render()
        cache.set(key, parts, SECONDS)
    return with_token(request, parts)


def cached_file(plan: Plan, name: str, build: Callable[[], bytes]) -> bytes:
    """A deliverable of this plan as it is now (a PDF takes about 100 ms to typeset), from the
    cache if the plan has not changed since it was last built."""
    key = _key(plan, name)
    content: bytes | None = cache.get(key)
    if content is None:
        content = build()
        cache.set(key, content, SECONDS)
    return content


def _plan_facts(plan: Plan) -> tuple[Any, ...]:
    """What of the plan itself shows in its parts besides its answers: the import line of an
    imported value, the default currency, the worksheet's version, the review state."""
    return (
        plan.pk,
        plan.definition_id,
        plan.definition_version,
        plan.definition_hash,
        plan.imported_at,
        plan.imported_from,
        plan.imported_file_date,
        plan.organisation.currency,
        plan.review_state,  # the badge, the review's buttons, « Projet — non validé »
    )


def _key(plan: Plan, name: str, *more: Any, whole_plan: bool = True) -> str:
    """A cache key; `whole_plan`: it changes with any write to the plan (else only with the
    plan's own facts and `more`, which must then hold everything else that shows)."""
    updated = plan.updated if whole_plan else None
    facts = (name, updated, _plan_facts(plan), more, get_language() or "")
    return ":".join(("jalon", name, str(plan.pk), _digest(facts), timezone.localdate().isoformat()))


def _digest(facts: Any) -> str:
    # Not a secret, a fingerprint: the key changes whenever one of the facts does.
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def _written(target: Versioned | None) -> tuple[Any, ...]:
    """What a saved value shows besides itself: its version, who saved it and when, or where it
    was imported from."""
    if target is None:
        return ()
    by = str(target.updated_by) if target.updated_by else ""
    return (target.pk, target.version, target.updated, by, target.file_author, target.file_updated)


def item_facts(state: PlanState, item: Item) -> tuple[Any, ...]:
    """Everything of the plan that shows in one item's HTML."""
    answer = state.answers.get(item.id)
    facts: list[Any] = [item.id, str(state.state(item)), _written(answer)]
    if answer is not None:
        facts.append(answer.value)
    for record in state.item_records(item):
        facts.append((record.uid, state.titles.get(record.uid), record.data, _written(record)))
    # A reference field offers the records of the list it names, by their titles.
    for target in sorted({f.references for f in item.fields if f.references}):
        facts.append([(r.uid, state.titles.get(r.uid)) for r in state.records.get(target, [])])
    return tuple(facts)


def cached_items(
    state: PlanState,
    items: Iterable[Item],
    can_edit: bool,
    render: Callable[[list[Item]], dict[str, str]],
    more: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Each item's HTML (with the CSRF placeholder), by item id: from the cache when nothing
    that shows in it changed, else from `render(items missing)`, which is then kept. `more`:
    by item id, what else shows in it that rooms above plans know of (its comments)."""
    more = more or {}
    keys = {
        item.id: _key(
            state.plan,
            f"item-{item.id}",
            item_facts(state, item),
            can_edit,
            more.get(item.id),
            whole_plan=False,
        )
        for item in items
    }
    found: dict[str, str] = cache.get_many(list(keys.values()))
    html = {item_id: found[key] for item_id, key in keys.items() if key in found}
    missing = [item for item in items if item.id not in html]
    if missing:
        rendered = render(missing)
        cache.set_many({keys[item_id]: part for item_id, part in rendered.items()}, SECONDS)
        html.update(rendered)
    return html


def item_slot(item_id: str) -> SafeString:
    """Where an item's HTML goes in the page around it (user content is escaped: it cannot
    contain one)."""
    return format_html("<!--jalon-item:{}-->", item_id)


def cached_shell(plan: Plan, name: str, facts: Any, render: Callable[[], Parts]) -> Parts:
    """The parts of a page around its items, which depend on the whole plan only through
    `facts` (states, counts, links): from the cache while those are the same."""
    key = _key(plan, name, facts, whole_plan=False)
    parts: Parts | None = cache.get(key)
    if parts is None:
        parts = render()
        cache.set(key, parts, SECONDS)
    return parts


def fill_items(shell: str, html: dict[str, str]) -> str:
    """The page around the items with each item's HTML in its slot."""
    for item_id, part in html.items():
        shell = shell.replace(item_slot(item_id), part)
    return shell


def with_token(request: HttpRequest, parts: tuple[str, ...]) -> tuple[SafeString, ...]:
    """Fill the CSRF placeholder of rendered parts with this request's token."""
    token = get_token(request)
    # The parts are our own template output, escaped when they were rendered; only the token
    # (letters and digits) is added, so they stay safe HTML.
    return tuple(SafeString(part.replace(CSRF_SLOT, token)) for part in parts)  # nosec B703


def page_etag(
    request: HttpRequest, plan: Plan, name: str, role: str, header: Any = ()
) -> str | None:
    """The ETag of a plan's page as this person sees it now, or None when it must not be reused
    (a one-time message waits to be shown: the page with it must never answer 304).

    It changes with the plan's state, the reader (and their name, in the header), their role,
    the language, the day (« today at » wording), their CSRF secret (the forms embed a token
    derived from it), the static files' manifest (the page links hashed file names) and
    `header`: what else the header shows of the reader (the rooms above give their unread
    count), so that a 304 never keeps a stale one."""
    if len(messages.get_messages(request)):  # len() reads them without marking them shown
        return None
    user = getattr(request, "user", None)
    facts = (
        name,
        user.pk if user else None,
        user.get_short_name() if user else "",
        role,
        request.META.get("CSRF_COOKIE") or _new_csrf_secret(request),
        getattr(staticfiles_storage, "manifest_hash", ""),
        settings.TIME_ZONE,
        header,
    )
    return f'"{_digest(_key(plan, "page", facts))[:32]}"'


def _new_csrf_secret(request: HttpRequest) -> str:
    """The CSRF secret this response will set, for a browser that has none yet."""
    get_token(request)
    return str(request.META.get("CSRF_COOKIE", ""))
