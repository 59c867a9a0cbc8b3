"""The JSON API, `/api/v1/`: thin handlers over the same access checks, services and selectors
as the pages (GUIDE §4). A handler reads like a view: access → schema → service → answer.

Who: a personal access token (`Authorization: Bearer jalon_…`) acts as its owner; a read
token cannot write. An outsider gets 404 exactly as on the pages, a member without the
capability 403. Every refusal is a JSON `{"detail": …}` in the person's language."""

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import P, PathEx, QueryEx
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from jalon.access import Capability, organisation_for, organisations_of, plan_for
from jalon.accounts.models import AccessToken, User
from jalon.accounts.tokens import token_authenticate
from jalon.discussions.selectors import plan_threads
from jalon.discussions.services import CommentError, thread_start
from jalon.organisations.models import Membership
from jalon.plans import fragments
from jalon.plans.advice import advice_export
from jalon.plans.models import MAX_ID, Answer, Plan, Record, Revision
from jalon.plans.selectors import plan_state, step_progress
from jalon.plans.services import (
    StaleEdit,
    answer_save,
    definition_of,
    record_add,
    record_delete,
    record_move,
    record_update,
)
from jalon.reports.formats import FORMATS, LANGUAGES, filename
from jalon.worksheets.answers import AnswerError, empty_value
from jalon.worksheets.loading import bundled_definitions
from jalon.worksheets.schema import Definition, Item, ItemKind

from . import schemas as s

# Path parameters, bounded: a 64-bit id at most (a larger one would overflow in the query) and
# an item id or record uid of at most 64 characters.
Id = PathEx[int, P(ge=1, le=MAX_ID - 1)]
Key = PathEx[str, P(min_length=1, max_length=64)]
# Bare 4xx answers every operation may give, documented once for all.
PROBLEMS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 413, 422, 429), s.Problem)


def _language(request: HttpRequest, user: User | None) -> None:
    """The language of the answer: the request's Accept-Language (a script's choice), else the
    token owner's profile, else French, as on the pages."""
    if request.headers.get("Accept-Language"):
        language = translation.get_language_from_request(request)
    else:
        language = (user.language if user else "") or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> AccessToken | None:
        _language(request, None)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken:
        found = token_authenticate(token.strip())
        if found is None:
            raise HttpError(
                401,
                _(
                    "This token is unknown, expired or revoked. Make a new one on your profile "
                    "page."
                ),
            )
        _language(request, found.user)
        return found


class TokenThrottle(SimpleRateThrottle):
    """Requests per token: a runaway script slows down itself, not the server's other users.
    Counted in the cache (per process with the default local-memory cache)."""

    scope = "token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


THROTTLE = TokenThrottle("300/min")


class Pages(LimitOffsetPagination):
    """`?limit=&offset=`: at most 100 at a time."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=100)
        offset: int = Field(0, ge=0, le=s.MAX_INT)


class JalonAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # The language the answer's messages are in (the page middleware would say its own).
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        return response


api = JalonAPI(
    title="Jalon API",
    version="1",
    description=(
        "Les communes, leurs plans, réponses, listes, historique, livrables et commentaires. "
        "Jeton personnel : `Authorization: Bearer jalon_…` (page Profil). — Municipalities, "
        "their plans, answers, lists, history, deliverables and comments. Personal access "
        "token: `Authorization: Bearer jalon_…` (Profile page)."
    ),
    urls_namespace="api",
    auth=BearerToken(),
    throttle=THROTTLE,
)


# Refusals, as JSON, in the person's language.


def _problem(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    response = api.create_response(request, {"detail": detail, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="jalon"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(
        request,
        401,
        _(
            "Send a personal access token: Authorization: Bearer <token>. Make one on your "
            "profile page."
        ),
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args else ""
    return _problem(request, 404, message or _("Not found, or not yours to see."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) if exc.args else ""
    return _problem(
        request, 403, message or _("Your role in this municipality does not allow this.")
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = math.ceil(exc.wait or 60)
    return _problem(
        request,
        429,
        _("Too many requests with this token. Try again in %(seconds)s seconds.")
        % {"seconds": wait},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        message = _("The body is not valid JSON.")  # ninja's own words are English only
        errors = [{"field": "body", "message": message}]
        return _problem(request, 400, message, errors=errors)
    return _problem(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _problem(
        request,
        413,
        _(
            "What you sent is larger than Jalon accepts in one go (%(limit)s). Nothing was "
            "saved: shorten the text, or split it over several answers, and save again."
        )
        % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
    )


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return _("This value does not have the expected type or range: %(reason)s") % {
        "reason": error.get("msg", "")
    }


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "message": _field_message(error),
        }
        for error in exc.errors
    ]
    return _problem(
        request, 422, _("Some values are missing or wrong; nothing was saved."), errors=errors
    )


@api.exception_handler(AnswerError)
def _refused_answer(request: HttpRequest, exc: AnswerError) -> HttpResponse:
    return _problem(request, 422, str(exc))


@api.exception_handler(CommentError)
def _refused_comment(request: HttpRequest, exc: CommentError) -> HttpResponse:
    return _problem(request, 422, str(exc))


@api.exception_handler(StaleEdit)
def _stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    target = exc.current
    current: dict[str, Any] = {"version": target.version}
    if isinstance(target, Answer):
        current["value"] = target.value
    else:
        current["data"] = target.data
    return _problem(
        request,
        409,
        _(
            "Someone changed this since version %(version)s was read: nothing was saved. The "
            "current value and version are in `current`; send your change again based on it."
        )
        % {"version": getattr(request, "base_version", "?")},
        current=current,
    )


# Who is asking, and what they may do.


def _token(request: HttpRequest) -> AccessToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, AccessToken)
    return token


def _user(request: HttpRequest) -> User:
    return _token(request).user


def _writing_plan(request: HttpRequest, plan_id: int, capability: Capability) -> Plan:
    """The plan, for a write: 404 to outsiders (first: never a 403 that says it exists), 403
    without the capability or with a read token."""
    plan, _membership = plan_for(_user(request), plan_id, capability)
    if not _token(request).can_write:
        raise PermissionDenied(
            _("This token may only read. Make a token with the write scope to change plans.")
        )
    return plan


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    return plan_for(_user(request), plan_id, Capability.VIEW)[0]


def _item(definition: Definition, item_id: str, *, records: bool) -> Item:
    item = definition.item(item_id)
    if item is None:
        raise Http404(_("This worksheet has no item %(id)r.") % {"id": item_id})
    if (item.kind is ItemKind.RECORDS) != records:
        if records:
            raise Http404(_("Item %(id)r is not a list: see its answer.") % {"id": item_id})
        raise Http404(_("Item %(id)r is a list: see its records.") % {"id": item_id})
    return item


def _record(plan: Plan, uid: str) -> Record:
    record = Record.objects.filter(plan=plan, uid=uid).select_related("updated_by").first()
    if record is None:
        raise Http404(_("This record no longer exists: someone may have removed it."))
    return record


def _name(user: User | None) -> str | None:
    return str(user) if user else None


# Shapes of the answers.


def _municipality(membership: Membership) -> dict[str, Any]:
    organisation = membership.organisation
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "country": organisation.country,
        "city": organisation.city,
        "currency": organisation.currency,
        "role": membership.role,
    }


def _plan_summary(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "municipality": plan.organisation_id,
        "title": plan.title,
        "service": plan.service,
        "service_name": plan.service_name,
        "review_state": plan.review_state,
        "definition": {
            "id": plan.definition_id,
            "version": plan.definition_version,
            "hash": plan.definition_hash,
        },
        "created": plan.created,
        "updated": plan.updated,
    }


def _answer(item: Item, answer: Answer | None) -> dict[str, Any]:
    if answer is None:
        return {
            "item": item.id,
            "value": empty_value(item),
            "version": 0,
            "updated": None,
            "updated_by": None,
        }
    return {
        "item": item.id,
        "value": answer.value,
        "version": answer.version,
        "updated": answer.updated,
        "updated_by": _name(answer.updated_by),
    }


def _record_out(record: Record) -> dict[str, Any]:
    return {
        "uid": record.uid,
        "item": record.item_id,
        "position": record.position,
        "data": record.data,
        "version": record.version,
        "updated": record.updated,
        "updated_by": _name(record.updated_by),
    }


def _revision(revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.pk,
        "item": revision.item_id,
        "record": revision.record_uid or None,
        "action": revision.action,
        "before": revision.before,
        "after": revision.after,
        "version": revision.version,
        "user": _name(revision.user) or revision.file_author or None,
        "created": revision.created,
    }


class _Shaped:
    """A queryset as ninja's pagination reads it (sliced and counted), each row of the page
    shaped on the way out: one query for the page, one for the count."""

    def __init__(self, queryset: QuerySet[Any], shape: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset, self.shape = queryset, shape

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.shape(row) for row in self.queryset[window]]


# Municipalities.

municipalities = Router(tags=["municipalities"])


@municipalities.get("", response={200: list[s.Municipality], **PROBLEMS})
@paginate(Pages)
def municipality_list(request: HttpRequest) -> Any:
    """The municipalities the token's owner is a member of, with their role there."""
    return [_municipality(m) for m in organisations_of(_user(request))]


@municipalities.get("/{organisation_id}", response={200: s.Municipality, **PROBLEMS})
def municipality_detail(request: HttpRequest, organisation_id: Id) -> Any:
    _organisation, membership = organisation_for(_user(request), organisation_id)
    return _municipality(membership)


@municipalities.get("/{organisation_id}/members", response={200: list[s.Member], **PROBLEMS})
@paginate(Pages)
def member_list(request: HttpRequest, organisation_id: Id) -> Any:
    """Its members, as the municipality's page shows them to every member."""
    organisation, _membership = organisation_for(_user(request), organisation_id)
    members = organisation.memberships.select_related("user").order_by("user__name", "pk")
    return _Shaped(
        members,
        lambda m: {
            "id": m.pk,
            "name": m.user.name,
            "email": m.user.email,
            "role": m.role,
            "validator": m.validator,
        },
    )


@municipalities.get("/{organisation_id}/plans", response={200: list[s.PlanSummary], **PROBLEMS})
@paginate(Pages)
def municipality_plans(request: HttpRequest, organisation_id: Id) -> Any:
    organisation, _membership = organisation_for(_user(request), organisation_id)
    plans: QuerySet[Plan] = organisation.plans.select_related("organisation").order_by(
        "-updated", "-pk"
    )
    return _Shaped(plans, _plan_summary)


# Plans, answers and records.

plans = Router(tags=["plans"])


@plans.get("/{plan_id}", response={200: s.PlanDetail, **PROBLEMS})
def plan_detail(request: HttpRequest, plan_id: Id) -> Any:
    """The plan, its worksheet (id, version, hash), its review state and progress per step."""
    plan = _plan(request, plan_id)
    progress = [
        {
            "step": p.step.id,
            "number": p.step.number,
            "done": p.done,
            "total": p.total,
            "percent": p.percent,
        }
        for p in step_progress(plan_state(plan))
    ]
    return {**_plan_summary(plan), "horizon": plan.horizon, "progress": progress}


@plans.get("/{plan_id}/answers", response={200: list[s.AnswerOut], **PROBLEMS})
def answer_list(request: HttpRequest, plan_id: Id) -> Any:
    """Every question of the plan's worksheet (lists apart: see their records), answered or
    not, each with the version a write must be based on."""
    plan = _plan(request, plan_id)
    stored = {a.item_id: a for a in Answer.objects.filter(plan=plan).select_related("updated_by")}
    definition = definition_of(plan)
    return [
        _answer(item, stored.get(item.id))
        for item in definition.items
        if item.kind is not ItemKind.RECORDS
    ]


@plans.get("/{plan_id}/answers/{item_id}", response={200: s.AnswerOut, **PROBLEMS})
def answer_detail(request: HttpRequest, plan_id: Id, item_id: Key) -> Any:
    plan = _plan(request, plan_id)
    item = _item(definition_of(plan), item_id, records=False)
    answer = Answer.objects.filter(plan=plan, item_id=item.id).select_related("updated_by")
    return _answer(item, answer.first())


@plans.put(
    "/{plan_id}/answers/{item_id}", response={200: s.AnswerSaved, 409: s.Problem, **PROBLEMS}
)
def answer_put(request: HttpRequest, body: s.AnswerIn, plan_id: Id, item_id: Key) -> Any:
    """Write an answer based on `base_version` (0 for a question never answered). A stale
    version is refused with 409 and the current value and version."""
    plan = _writing_plan(request, plan_id, Capability.EDIT)
    item = _item(definition_of(plan), item_id, records=False)
    request.base_version = body.base_version  # type: ignore[attr-defined]
    saved = answer_save(
        plan=plan,
        user=_user(request),
        item_id=item.id,
        raw=body.value,
        base_version=body.base_version,
    )
    answer = saved.target
    assert isinstance(answer, Answer)
    return {**_answer(item, answer), "changed": saved.changed}


@plans.get("/{plan_id}/items/{item_id}/records", response={200: list[s.RecordOut], **PROBLEMS})
@paginate(Pages)
def record_list(request: HttpRequest, plan_id: Id, item_id: Key) -> Any:
    """The records of a list item, in the list's order."""
    plan = _plan(request, plan_id)
    item = _item(definition_of(plan), item_id, records=True)
    records = Record.objects.filter(plan=plan, item_id=item.id).select_related("updated_by")
    return _Shaped(records, _record_out)


@plans.post("/{plan_id}/items/{item_id}/records", response={201: s.RecordOut, **PROBLEMS})
def record_create(request: HttpRequest, body: s.RecordIn, plan_id: Id, item_id: Key) -> Any:
    plan = _writing_plan(request, plan_id, Capability.EDIT)
    item = _item(definition_of(plan), item_id, records=True)
    record = record_add(plan=plan, user=_user(request), item_id=item.id, raw=body.data)
    return Status(201, _record_out(record))


@plans.get("/{plan_id}/records/{uid}", response={200: s.RecordOut, **PROBLEMS})
def record_detail(request: HttpRequest, plan_id: Id, uid: Key) -> Any:
    return _record_out(_record(_plan(request, plan_id), uid))


@plans.patch("/{plan_id}/records/{uid}", response={200: s.RecordOut, 409: s.Problem, **PROBLEMS})
def record_change(request: HttpRequest, body: s.RecordChange, plan_id: Id, uid: Key) -> Any:
    """Change a record's fields, based on `base_version`; the fields not sent are emptied, as
    when the form is saved. A stale version: 409 with the current data and version."""
    plan = _writing_plan(request, plan_id, Capability.EDIT)
    _record(plan, uid)
    request.base_version = body.base_version  # type: ignore[attr-defined]
    saved = record_update(
        plan=plan, user=_user(request), uid=uid, raw=body.data, base_version=body.base_version
    )
    record = saved.target
    assert isinstance(record, Record)
    return _record_out(record)


@plans.post("/{plan_id}/records/{uid}/move", response={200: s.RecordOut, **PROBLEMS})
def record_reorder(request: HttpRequest, body: s.RecordMove, plan_id: Id, uid: Key) -> Any:
    """Move a record one place up (-1) or down (1) in its list."""
    plan = _writing_plan(request, plan_id, Capability.EDIT)
    _record(plan, uid)
    if body.offset:
        record_move(plan=plan, user=_user(request), uid=uid, offset=body.offset)
    return _record_out(_record(plan, uid))


@plans.delete("/{plan_id}/records/{uid}", response={204: None, 409: s.Problem, **PROBLEMS})
def record_remove(
    request: HttpRequest,
    plan_id: Id,
    uid: Key,
    base_version: QueryEx[int, P(ge=0, le=s.MAX_INT)],
) -> Any:
    """Remove a record, based on `base_version` (a stale one: 409)."""
    plan = _writing_plan(request, plan_id, Capability.EDIT)
    _record(plan, uid)
    request.base_version = base_version  # type: ignore[attr-defined]
    record_delete(plan=plan, user=_user(request), uid=uid, base_version=base_version)
    return Status(204, None)


# History.


@plans.get("/{plan_id}/history", response={200: list[s.RevisionOut], **PROBLEMS})
@paginate(Pages)
def plan_history(request: HttpRequest, plan_id: Id) -> Any:
    """Every accepted change of the plan, newest first."""
    plan = _plan(request, plan_id)
    return _Shaped(Revision.objects.filter(plan=plan).select_related("user"), _revision)


@plans.get("/{plan_id}/items/{item_id}/history", response={200: list[s.RevisionOut], **PROBLEMS})
@paginate(Pages)
def item_history(request: HttpRequest, plan_id: Id, item_id: Key) -> Any:
    plan = _plan(request, plan_id)
    item = definition_of(plan).item(item_id)
    if item is None:
        raise Http404(_("This worksheet has no item %(id)r.") % {"id": item_id})
    revisions = Revision.objects.filter(plan=plan, item_id=item.id).select_related("user")
    return _Shaped(revisions, _revision)


# Deliverables.

EXPORT_RESPONSES: dict[str, Any] = {
    "responses": {
        "200": {
            "description": "The file, as the plan page's download link gives it",
            "content": {
                # The plan file is JSON (README, « The plan file »), the others are bytes.
                fmt.content_type: {
                    "schema": {"type": "object"}
                    if fmt.content_type == "application/json"
                    else {"type": "string", "format": "binary"}
                }
                for fmt in FORMATS.values()
            },
        }
    }
}


class ExportLanguage(Schema):
    lang: str = Field("fr", pattern="^(fr|en)$", description="fr or en")


@plans.get("/{plan_id}/export/{format_code}", response=PROBLEMS, openapi_extra=EXPORT_RESPONSES)
def plan_export(
    request: HttpRequest,
    query: Query[ExportLanguage],
    plan_id: Id,
    format_code: PathEx[str, P(description=", ".join(FORMATS), max_length=16)],
) -> HttpResponse:
    """The plan as a file: the same bytes and file name as the plan page's downloads."""
    plan = _plan(request, plan_id)
    fmt = FORMATS.get(format_code)
    if fmt is None:
        raise Http404(
            _("No format %(format)r; the formats are: %(formats)s.")
            % {"format": format_code, "formats": ", ".join(FORMATS)}
        )
    language = query.lang if query.lang in LANGUAGES else settings.LANGUAGE_CODE
    if fmt.by_language:  # the plan page's cache: the same file, built once per change
        content = fragments.cached_file(
            plan, f"file-{fmt.code}-{language}", lambda: fmt.build(plan, language)
        )
    else:
        content = fmt.build(plan, language)
    response = HttpResponse(content, content_type=fmt.content_type)
    name = filename(plan, fmt, language, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Comments and advice.


@plans.get("/{plan_id}/comments", response={200: list[s.ThreadOut], **PROBLEMS})
@paginate(Pages)
def comment_list(request: HttpRequest, plan_id: Id, resolved: bool = False) -> Any:
    """The plan's open threads (`?resolved=true`: the resolved ones), in the worksheet's order."""
    plan = _plan(request, plan_id)
    return [
        {
            "id": view.thread.pk,
            "item": view.thread.item_id,
            "record": view.thread.record_uid or None,
            "option": view.thread.option or None,
            "resolved": view.thread.resolved_at is not None,
            "comments": [
                {
                    "id": c.pk,
                    "author": _name(c.author),
                    "body": "" if c.deleted else c.body,
                    "created": c.created,
                    "edited": c.edited_at,
                }
                for c in view.shown
            ],
        }
        for view in plan_threads(plan, definition_of(plan), resolved=resolved)
    ]


@plans.post("/{plan_id}/comments", response={201: s.CommentOut, **PROBLEMS})
def comment_create(request: HttpRequest, body: s.CommentIn, plan_id: Id) -> Any:
    """Start a thread on an item (or one of its records), as the plan page's comment form."""
    plan = _writing_plan(request, plan_id, Capability.COMMENT)
    comment = thread_start(
        plan=plan, user=_user(request), item_id=body.item, body=body.body, record_uid=body.record
    )
    out = {
        "id": comment.pk,
        "author": _name(comment.author),
        "body": comment.body,
        "created": comment.created,
        "edited": None,
    }
    return Status(201, out)


@plans.get("/{plan_id}/advice", response={200: list[s.AdviceOut], **PROBLEMS})
def advice_list(request: HttpRequest, plan_id: Id) -> Any:
    """The consistency advice the plan gets now, shown and set aside, in the person's
    language."""
    return advice_export(_plan(request, plan_id))


# Worksheet definitions.

worksheets = Router(tags=["worksheets"])


@worksheets.get("", response={200: list[s.DefinitionSummary], **PROBLEMS})
def worksheet_list(request: HttpRequest) -> Any:
    """The published worksheet definitions, every version."""
    return list(bundled_definitions().values())


@worksheets.get("/{definition_id}/{version}", response={200: s.DefinitionOut, **PROBLEMS})
def worksheet_detail(
    request: HttpRequest, definition_id: Key, version: PathEx[int, P(ge=1, le=s.MAX_INT)]
) -> Any:
    """One definition: its steps, sections, items, fields and options, in French and English."""
    definition = bundled_definitions().get((definition_id, version))
    if definition is None:
        raise Http404(
            _("No published worksheet %(id)r in version %(version)s.")
            % {"id": definition_id, "version": version}
        )
    return definition


api.add_router("/municipalities", municipalities)
api.add_router("/plans", plans)
api.add_router("/worksheets", worksheets)
