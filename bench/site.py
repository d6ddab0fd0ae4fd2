"""The benchmarks' site: one small page behind the demo's middleware stack.

Used in-process by ``bench/overhead.py`` and ``bench/overhead_asgi.py``, and as the
settings module of the gunicorn servers of ``bench/load.py`` and the uvicorn servers of
``bench/load_asgi.py`` (``DJANGO_SETTINGS_MODULE=bench.site``). Environment:

- ``BENCH_PANEL``: ``1`` puts ``MaintenanceModeMiddleware`` at the end of MIDDLEWARE,
  ``0`` leaves it out (bare Django);
- ``BENCH_DATABASE``: the SQLite file (migrated by the scripts);
- ``BENCH_MIDDLEWARE``: another last middleware instead (e.g. django-maintenance-mode's);
- ``BENCH_STATE_FILE``: django-maintenance-mode's state file
  (``MAINTENANCE_MODE_STATE_FILE_PATH``), for a server that runs its middleware;
- ``BENCH_CACHE_URL``: ``redis://host:port/db``, Django's RedisCache instead of LocMem
  (``BENCH_CACHE_PREFIX`` its key prefix).
"""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from demo import settings as demo

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><nav><a href="/">Home</a> <a href="/about/">About</a></nav>
{% if user.is_authenticated %}<p>Hello {{ user.get_username }}</p>{% endif %}
<h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</body></html>
"""
PANEL_MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
#: The demo site's stack without this app's middleware, and without WhiteNoise: the
#: benchmarks compare with a bare Django, and their page is no static file anyway.
BASE_MIDDLEWARE = [
    name
    for name in demo.MIDDLEWARE
    if name not in {PANEL_MIDDLEWARE, "whitenoise.middleware.WhiteNoiseMiddleware"}
]


class EmptyMiddleware:
    """Does nothing, the way this app's middleware is shaped (``__call__`` and
    ``process_view``): what Django charges for any such middleware."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        return None


def page(request: HttpRequest) -> HttpResponse:
    """The minimal page: a small template, as most views render one."""
    return render(request, "page.html", {"title": "Benchmark", "items": range(5)})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", page, name="page"), path("healthz", healthz)]


def settings_for(database: str, *, panel: bool) -> dict[str, Any]:
    """Django settings of the benchmark site."""
    return {
        "DEBUG": False,
        "SECRET_KEY": "bench-only-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": ["testserver", "127.0.0.1"],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "solo",
            "maintenance_panel",
        ],
        "MIDDLEWARE": [*BASE_MIDDLEWARE, PANEL_MIDDLEWARE] if panel else BASE_MIDDLEWARE,
        "ROOT_URLCONF": "bench.site",
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": database,
                "CONN_MAX_AGE": None,
            }
        },
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ],
                    "loaders": [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                ("django.template.loaders.locmem.Loader", {"page.html": PAGE}),
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                },
            }
        ],
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "USE_TZ": True,
        "LOGGING_CONFIG": None,
        "SILENCED_SYSTEM_CHECKS": ["maintenance_panel.I001"],
    }


if os.environ.get("DJANGO_SETTINGS_MODULE") == "bench.site":
    globals().update(
        settings_for(
            os.environ.get("BENCH_DATABASE", "bench.sqlite3"),
            panel=os.environ.get("BENCH_PANEL", "1") == "1",
        )
    )
    if os.environ.get("BENCH_MIDDLEWARE"):  # another last middleware, e.g. the empty one
        MIDDLEWARE = [*BASE_MIDDLEWARE, os.environ["BENCH_MIDDLEWARE"]]
    if os.environ.get("BENCH_STATE_FILE"):
        MAINTENANCE_MODE_STATE_FILE_PATH = os.environ["BENCH_STATE_FILE"]
    if os.environ.get("BENCH_CACHE_URL"):
        CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["BENCH_CACHE_URL"],
                "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "bench"),
            }
        }
    if os.environ.get("BENCH_TTL"):
        MAINTENANCE_MODE_STATE_TTL = float(os.environ["BENCH_TTL"])
