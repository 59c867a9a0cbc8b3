"""Jalon's one settings file. Everything that differs between a laptop and production comes from
environment variables; the defaults are safe for development and tests.

    JALON_DEBUG=1               development mode (never in production)
    JALON_SECRET_KEY            required when JALON_DEBUG is off
    JALON_ALLOWED_HOSTS         comma-separated host names (default: localhost names)
    JALON_DB_PATH               SQLite file (default: ./jalon.sqlite3)
    DATABASE_URL                use this database instead of SQLite (postgres://…)
    JALON_EMAIL_HOST (+ _PORT, _USER, _PASSWORD, _USE_TLS), JALON_FROM_EMAIL
                                send e-mail through SMTP; without a host, e-mails go to the console
    JALON_BASE_URL              where people reach Jalon, for the links in e-mails (digests)
                                (default: http://127.0.0.1:8000)
    JALON_SECURE=1              HTTPS only: secure cookies, HSTS, redirect to https
    JALON_HSTS_PRELOAD=1        also ask browsers to preload HSTS (see below: the domain's owner
                                decides, for all its subdomains)
    JALON_TRUSTED_PROXIES=N     the number of reverse proxies in front of Jalon (default 0): the
                                client's address is then the Nth from the right in
                                X-Forwarded-For, for login throttling and logs
    JALON_BASE_URL              the address people reach Jalon at, for links in e-mails and
                                commands (default http://127.0.0.1:8000)
    JALON_INVITATION_DAYS       how long an invitation link works (default 7)
    JALON_INVITATIONS_PER_HOUR  invitations one person may send in an hour (default 20)
"""

import os
import sys
from datetime import timedelta
from os import environ as env
from pathlib import Path
from tempfile import gettempdir

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
django_stubs_ext.monkeypatch()  # typed generics such as UserCreationForm[User] work at run time


def env_flag(name: str, default: bool = False) -> bool:
    return env.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("JALON_DEBUG")
# Production (JALON_SECURE=1) refuses to start without a real key; see the end of this file.
SECRET_KEY = env.get("JALON_SECRET_KEY") or "insecure-development-key-only-for-local-use"
ALLOWED_HOSTS = env.get("JALON_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "jalon.accounts",
    "jalon.organisations",
    "jalon.plans",
    "jalon.discussions",
    "jalon.worksheets",
    "jalon.field",
    "jalon.reports",  # its management commands: export_plan, import_plan
    "jalon.backups",  # its management commands: backup, restore
    "ninja",  # serves the API documentation page's scripts and styles from /static/, no CDN
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
]

MIDDLEWARE = [
    "jalon.middleware.client_address_middleware",  # first: everything after sees the client
    "django.middleware.security.SecurityMiddleware",
    "jalon.middleware.content_security_policy_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jalon.middleware.private_pages_middleware",  # after whitenoise: pages, not static files
    "jalon.middleware.CompressionMiddleware",  # brotli, else gzip
    "jalon.middleware.revalidation_middleware",  # after compression: hashes the page as rendered
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jalon.middleware.language_middleware",  # after auth: a signed-in person's choice wins
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "jalon.urls"
WSGI_APPLICATION = "jalon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jalon" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            # The templates without their indentation (see jalon/template_loader.py), cached.
            "loaders": [
                ("django.template.loaders.cached.Loader", ["jalon.template_loader.Loader"]),
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jalon.discussions.context_processors.notifications",  # the header's count
            ],
        },
    }
]

# SQLite by default. WAL lets readers work while one writer writes; IMMEDIATE transactions take
# the write lock at BEGIN, so two concurrent saves queue on the busy timeout instead of failing
# with "database is locked" when a read lock cannot be upgraded.
if env.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.get("JALON_DB_PATH", str(BASE_DIR / "jalon.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not memory: concurrency tests need connections that really share it.
            # One per process, so that two test runs on one machine do not share it.
            "TEST": {"NAME": str(Path(gettempdir()) / f"jalon-test-{os.getpid()}.sqlite3")},
            # Keep the connection between requests: opening one per request, and closing the
            # last one (which checkpoints the WAL with an fsync), halves an autosave's speed.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
# Rendered fragments and files of plans, keyed by the plan's last change (jalon/plans/fragments.py):
# a per-process memory cache is enough, since a key can never hold stale content.
# Fragments are kept per item (about 80 per plan, language and right to edit), hence the room.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Sessions apart, so that fragments never push a session out (jalon/sessions.py).
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sessions",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 wrong passwords for one address from one IP address lock that pair out for
# 15 minutes (another person, or the same person elsewhere, is unaffected). Attempts are counted
# in the database, so every app server behind a load balancer sees the same count. Behind a
# reverse proxy the IP address is the proxy's, and the lock becomes one per address.
# Behind N reverse proxies, each appends the address it received from to X-Forwarded-For; only
# the last N entries were written by proxies we trust, so the client is the Nth from the right.
# With 0 (no proxy) the header is ignored: anyone can send one.
TRUSTED_PROXIES = int(env.get("JALON_TRUSTED_PROXIES", "0"))
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "jalon.middleware.login_attempt_username"
AXES_RESET_ON_SUCCESS = True  # the person knows the password: earlier typos no longer count
AXES_LOCKOUT_CALLABLE = "jalon.middleware.login_locked_out"  # registration/locked_out.html
# No log of successful logins: nothing shows it, and it would keep IP addresses with no use.
AXES_DISABLE_ACCESS_LOG = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.get("JALON_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "jalon" / "static"]
# Once `collectstatic` has run (production, `make bench`), static files have hashed names, are
# compressed and cached for a year; `collectstatic` itself must use that storage to write them.
# Before that (tests, `make run`), they are served as they are.
COLLECTED = (STATIC_ROOT / "staticfiles.json").exists() or "collectstatic" in sys.argv
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED

# E-mail: the console by default, SMTP when a host is given.
JALON_BASE_URL = env.get("JALON_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.get("JALON_FROM_EMAIL", "Jalon <jalon@localhost>")
if env.get("JALON_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env["JALON_EMAIL_HOST"]
    EMAIL_PORT = int(env.get("JALON_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env.get("JALON_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env.get("JALON_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("JALON_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Links that leave the site (e-mails, a command's output) need the address people use.
JALON_BASE_URL = env.get("JALON_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
JALON_INVITATION_DAYS = int(env.get("JALON_INVITATION_DAYS", "7"))
JALON_INVITATIONS_PER_HOUR = int(env.get("JALON_INVITATIONS_PER_HOUR", "20"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # a month: shared phones log out explicitly
# No query per request for the session; logout and restores still end it (jalon/sessions.py).
SESSION_ENGINE = "jalon.sessions"
SESSION_CACHE_ALIAS = "sessions"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_flag("JALON_SECURE"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS preload is opt-in: anyone may submit a domain that sends `preload` to the browsers'
    # list, which then forces HTTPS on every subdomain of the municipality or agency for months.
    # Jalon is installed on other people's domains, so only their owner can say yes.
    SECURE_HSTS_PRELOAD = env_flag("JALON_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "SECURE_HSTS_PRELOAD not set": decided above

if env_flag("JALON_SECURE") and SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("Set JALON_SECRET_KEY in production (JALON_SECURE=1).")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("JALON_LOG_LEVEL", "WARNING")},
}
