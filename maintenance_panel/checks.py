"""System checks: each has a stable id and says how to fix what it finds."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register

from maintenance_panel import conf

MIDDLEWARE_PATH = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register(Tags.compatibility)
def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E001: middleware missing; E002: it runs before AuthenticationMiddleware."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE_PATH not in middleware:
        return [
            Error(
                "MaintenanceModeMiddleware is not in MIDDLEWARE, so maintenance mode "
                "never holds a request back.",
                hint=f"Add '{MIDDLEWARE_PATH}' to MIDDLEWARE, after '{AUTH_MIDDLEWARE}'.",
                id="maintenance_panel.E001",
            )
        ]
    if AUTH_MIDDLEWARE in middleware and middleware.index(AUTH_MIDDLEWARE) > middleware.index(
        MIDDLEWARE_PATH
    ):
        return [
            Error(
                "MaintenanceModeMiddleware comes before AuthenticationMiddleware, so it "
                "cannot tell who is exempt.",
                hint=f"Move '{MIDDLEWARE_PATH}' below '{AUTH_MIDDLEWARE}' in MIDDLEWARE.",
                id="maintenance_panel.E002",
            )
        ]
    return []


@register(Tags.compatibility)
def check_solo(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E003: django-solo is not in INSTALLED_APPS."""
    if "solo" not in settings.INSTALLED_APPS and "solo.apps.SoloAppConfig" not in (
        settings.INSTALLED_APPS
    ):
        return [
            Error(
                "'solo' is not in INSTALLED_APPS; the maintenance page of the admin needs "
                "its templates.",
                hint="Add 'solo' to INSTALLED_APPS (pip install django-solo).",
                id="maintenance_panel.E003",
            )
        ]
    return []


_KNOWN = set(conf.DEFAULTS)


@register(Tags.compatibility)
def check_setting_names(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W001: a misspelt MAINTENANCE_MODE_* setting; W002: one not carried over."""
    messages: list[CheckMessage] = []
    for name in dir(settings):
        if not name.startswith(conf.PREFIX) or name in _KNOWN:
            continue
        if name in conf.DROPPED:
            messages.append(
                Warning(
                    f"{name} is not used by maintenance_panel.",
                    hint=conf.DROPPED[name] + ".",
                    id="maintenance_panel.W002",
                )
            )
            continue
        close = difflib.get_close_matches(name, _KNOWN, n=1, cutoff=0.8)
        hint = f"Did you mean {close[0]}?" if close else (
            "See the settings table in the README for the names maintenance_panel reads."
        )
        messages.append(
            Warning(f"Unknown setting {name}; it has no effect.", hint=hint,
                    id="maintenance_panel.W001")
        )
    return messages


def _list_setting(name: str) -> tuple[list[str], list[CheckMessage]]:
    value = conf.get(name)
    if isinstance(value, list | tuple | set | frozenset):
        return [str(entry) for entry in value], []
    return [], [
        Error(
            f"{name} must be a list or tuple, not {type(value).__name__}; a string would be "
            "read character by character.",
            hint=f"Write {name} = [{value!r}].",
            id="maintenance_panel.E004",
        )
    ]


@register(Tags.compatibility)
def check_list_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E004: not a list; E005: an IP entry that is neither address nor network;
    E006: a URL entry that is not a regular expression."""
    messages: list[CheckMessage] = []
    entries, errors = _list_setting(f"{conf.PREFIX}_IGNORE_IP_ADDRESSES")
    messages += errors
    for entry in entries:
        try:
            conf.parse_network(entry)
        except ValueError:
            messages.append(
                Error(
                    f"MAINTENANCE_MODE_IGNORE_IP_ADDRESSES: {entry!r} is not an IP address "
                    "or CIDR network.",
                    hint="Use addresses or networks such as '203.0.113.7' or '10.0.0.0/8' "
                    "(regular expressions are not supported).",
                    id="maintenance_panel.E005",
                )
            )
    entries, errors = _list_setting(f"{conf.PREFIX}_IGNORE_URLS")
    messages += errors
    for entry in entries:
        try:
            re.compile(entry)
        except re.error as exc:
            messages.append(
                Error(
                    f"MAINTENANCE_MODE_IGNORE_URLS: {entry!r} is not a regular expression "
                    f"({exc}).",
                    hint="Fix the pattern; it is matched with re.match against the path.",
                    id="maintenance_panel.E006",
                )
            )
    return messages


@register(Tags.caches)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """I001: the cache is process-local, so each process re-reads the database."""
    from django.core.cache import InvalidCacheBackendError

    from maintenance_panel import state

    try:
        shared = state.cache_is_shared()
    except InvalidCacheBackendError:
        return [
            Error(
                f"MAINTENANCE_MODE_CACHE names cache {conf.cache_alias()!r}, which is not "
                "in CACHES.",
                hint="Name an alias from CACHES, or remove the setting to use 'default'.",
                id="maintenance_panel.E007",
            )
        ]
    if shared:
        return []
    return [
        Info(
            f"Cache {conf.cache_alias()!r} is process-local; each process re-reads the "
            "maintenance state from the database once per MAINTENANCE_MODE_STATE_TTL.",
            hint="With several processes or servers, point MAINTENANCE_MODE_CACHE at a "
            "shared cache such as Redis (django.core.cache.backends.redis.RedisCache).",
            id="maintenance_panel.I001",
        )
    ]
