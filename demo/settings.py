"""Settings of the demo site.

SQLite and a local-memory cache by default; ``DATABASE_URL`` and ``CACHE_URL`` (or
``REDIS_URL``) from the environment switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-not-secret-0123456789abcdefghijklmnop")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    # Above django.contrib.admin so that its admin/base_site.html (the maintenance
    # banner on every admin page) is found first.
    "maintenance_panel",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "solo",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS) under any server, DEBUG on or off, as in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "maintenance_panel.middleware.MaintenanceModeMiddleware",
]

ROOT_URLCONF = "demo.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maintenance_panel.context_processors.maintenance_mode",
            ],
        },
    },
]

WSGI_APPLICATION = "demo.wsgi.application"
ASGI_APPLICATION = "demo.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}


def cache_from_url(url: str) -> dict[str, object]:
    """A CACHES entry from ``locmem://``, ``dummy://`` or ``redis://host:port/db``."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "demo"),
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


CACHES = {
    "default": cache_from_url(
        os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "locmem://"
    )
}

# The demo runs one process by default, where a local-memory cache is fine; the check
# is for production sites that run several processes.
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS = ["maintenance_panel.I001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves the apps' static files straight from where the finders find them, so
# the README's demo command works without collectstatic (and the demo sets no
# STATIC_ROOT). A production site sets STATIC_ROOT, runs collectstatic and leaves this off.
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# maintenance_panel: the admin decides everything else. The health check stays up.
MAINTENANCE_MODE_IGNORE_URLS = [r"^/healthz$"]

# A server can fix the state from its environment, as deployments often do:
# DEMO_MAINTENANCE_MODE=on|off (unset: the admin decides).
if os.environ.get("DEMO_MAINTENANCE_MODE"):
    MAINTENANCE_MODE = os.environ["DEMO_MAINTENANCE_MODE"].lower() in {"1", "on", "true", "yes"}
# The web server's copy of the maintenance page, rewritten after every change
# (docs/deploying.md): DEMO_STATIC_PAGE=/var/www/maintenance/503.html.
if os.environ.get("DEMO_STATIC_PAGE"):
    MAINTENANCE_MODE_STATIC_PAGE = os.environ["DEMO_STATIC_PAGE"]

# Django's tasks framework (demo/tasks.py): the default immediate backend, or with
# DEMO_TASKS=database django-tasks-db's, whose worker is `manage.py db_worker` (run
# `manage.py migrate` once with it set). On Django 5.2 both need the django-tasks backport.
if os.environ.get("DEMO_TASKS") == "database":
    if django.VERSION < (6,):
        INSTALLED_APPS.append("django_tasks")
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail goes to the console in the demo (Django 6.1 configures mail with MAILERS).
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Django 6 takes plain addresses in ADMINS; 5.2 wants (name, address) pairs.
ADMINS = ["admin@example.com"] if django.VERSION >= (6,) else [("Demo admin", "admin@example.com")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_not_maintenance_mode_503": {
            "()": "maintenance_panel.logging.RequireNotMaintenanceMode503",
        },
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "require_not_maintenance_mode_503"],
        },
    },
    "loggers": {
        # propagate=False: the "django" logger's default mail handler lacks the filter.
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
        "maintenance_panel": {"handlers": ["console"], "level": "INFO"},
    },
}
