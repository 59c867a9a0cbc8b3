"""What every page's header shows of the discussions room."""

from functools import partial
from typing import Any

from django.http import HttpRequest

from .selectors import unread_for


def notifications(request: HttpRequest) -> dict[str, Any]:
    # A callable, which templates call when they use it: a page that does not show the header
    # (a download, a JSON answer) costs no query, and one that does costs one (memoised).
    return {"unread_notifications": partial(unread_for, request)}
