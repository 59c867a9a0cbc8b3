"""Sessions read without a query: the database keeps them, each worker process keeps a copy of
the ones it has seen for at most a minute (SESSION_ENGINE in settings).

Why not signed-cookie sessions, which cost no query either: the server could not end them. A
copy of the cookie taken before logout would stay valid for the cookie's whole month, and a
restore (which logs everyone out by emptying the session table) would not log anyone out.
Here the database stays the authority: logout and a restore delete the session there; a worker
that cached it drops it after `CACHE_SECONDS` at the latest (the one that served the logout at
once), so a copied cookie outlives the logout by a minute at most. Cost: one query per session
per worker per minute instead of one per request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import BaseCache, caches

CACHE_SECONDS = 60


class _AtMost:
    """The sessions cache, keeping each entry at most `CACHE_SECONDS`, whatever the session's
    own expiry (which Django passes as the timeout)."""

    def __init__(self, cache: BaseCache) -> None:
        self._cache = cache

    def get(self, key: str) -> Any:
        return self._cache.get(key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        seconds = CACHE_SECONDS if timeout is None else min(timeout, CACHE_SECONDS)
        self._cache.set(key, value, seconds)

    def delete(self, key: str) -> None:
        self._cache.delete(key)

    def __contains__(self, key: str) -> bool:
        return key in self._cache


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache: Any = _AtMost(caches[settings.SESSION_CACHE_ALIAS])
