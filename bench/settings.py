"""Jalon's production settings, plus what only the benchmark needs.

- `bench/floor/`, a bare Django view, the floor every page is compared with. It lives in
  `bench.urls`, not in `jalon.urls`, whose every URL must be in the access matrix.
- `BENCH_CACHE=miss`: Jalon's cache replaced by one that never finds anything (bench/cache.py),
  so that every request is a cache miss, as the first request after an edit is.
- Static files collected into the benchmark's own temporary folder (BENCH_STATIC_ROOT) with
  the production storage (hashed names, precompressed, cached for a year). jalon.settings picks
  that storage only once a manifest exists in ./staticfiles; forcing it here measures what
  production serves without leaving a manifest in the work tree, which would switch the test
  suite to manifest storage too.
"""

from os import environ as env
from pathlib import Path

from jalon.settings import *  # noqa: F403 — the benchmark must measure the real settings

ROOT_URLCONF = "bench.urls"

if env.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(env["BENCH_STATIC_ROOT"])
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

if env.get("BENCH_CACHE") == "miss":
    CACHES = {
        **CACHES,  # noqa: F405 — sessions keep their cache: a miss is about the page
        "default": {
            **CACHES["default"],  # noqa: F405
            "BACKEND": "bench.cache.MissingCache",
        },
    }
