"""A cache that never finds anything: the benchmark's server with `BENCH_CACHE=miss` uses it in
place of Jalon's own, so that every request pays what the first request after an edit pays.

It still stores what it is given (a LocMemCache underneath): a miss costs the render *and* the
write into the cache, as in production; only the reads come back empty.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.locmem import LocMemCache


class MissingCache(LocMemCache):
    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        return False
