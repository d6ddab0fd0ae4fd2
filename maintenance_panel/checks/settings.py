"""Checks of the settings: names, types, hooks, the cache, the template, the redirect and
the web server's page."""

from __future__ import annotations

import difflib
import os
import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register
from django.template import TemplateDoesNotExist, TemplateSyntaxError, loader
from django.urls import NoReverseMatch, reverse

from maintenance_panel import conf, pages, versions

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
        # Compare what follows the shared prefix, or every name looks alike.
        suffixes = {known[len(conf.PREFIX) :]: known for known in _KNOWN}
        close = [
            suffixes[match]
            for match in difflib.get_close_matches(
                name[len(conf.PREFIX) :], suffixes, n=1, cutoff=0.8
            )
        ]
        hint = (
            f"Did you mean {close[0]}?"
            if close
            else ("See the settings table in the README for the names maintenance_panel reads.")
        )
        messages.append(
            Warning(
                f"Unknown setting {name}; it has no effect.", hint=hint, id="maintenance_panel.W001"
            )
        )
    return messages


@register(Tags.caches)
def check_cache_alias(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E007: MAINTENANCE_MODE_CACHE (or django-maintenance-mode's
    MAINTENANCE_MODE_CACHE_BACKEND) names a cache that is not in CACHES."""
    if conf.cache_alias() in settings.CACHES:
        return []
    return [
        Error(
            f"{conf.cache_setting()} names cache {conf.cache_alias()!r}, which is not in CACHES.",
            hint="Name an alias from CACHES, or remove the setting to use 'default'.",
            id="maintenance_panel.E007",
        )
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """I001 (``check --deploy``): the cache is process-local, so each process re-reads
    the database; fine for one process, not for several."""
    if conf.cache_alias() not in settings.CACHES or versions.cache_is_shared():
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_bool(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


#: Setting -> (test of its value, what it must be).
TYPE_RULES: dict[str, tuple[Any, str]] = {
    "MAINTENANCE_MODE": (_optional_bool, "True, False or None"),
    **{
        f"{conf.PREFIX}_IGNORE_{flag}": (_optional_bool, "True, False or None (unset)")
        for flag in conf.IGNORE_FLAGS
    },
    f"{conf.PREFIX}_IGNORE_TESTS": (lambda v: isinstance(v, bool), "True or False"),
    f"{conf.PREFIX}_FALLBACK": (lambda v: isinstance(v, bool), "True or False"),
    f"{conf.PREFIX}_LOGOUT_AUTHENTICATED_USER": (lambda v: isinstance(v, bool), "True or False"),
    f"{conf.PREFIX}_READ_ONLY": (_optional_bool, "True, False or None (unset)"),
    f"{conf.PREFIX}_READ_ONLY_BLOCK_WRITES": (lambda v: isinstance(v, bool), "True or False"),
    f"{conf.PREFIX}_LOGOUT_STAFF_USER": (_optional_bool, "True, False or None"),
    f"{conf.PREFIX}_LOGOUT_SUPERUSER": (_optional_bool, "True, False or None"),
    f"{conf.PREFIX}_STATUS_CODE": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599,
        "an HTTP status code (an int such as 503)",
    ),
    f"{conf.PREFIX}_RETRY_AFTER": (
        lambda v: v is None or _non_negative_int(v),
        "a number of seconds (int, 0 or None to omit the header)",
    ),
    f"{conf.PREFIX}_TRUSTED_PROXY_COUNT": (_non_negative_int, "an int, 0 or more"),
    f"{conf.PREFIX}_WORK_RETRY": (
        lambda v: _is_number(v) and v >= 1,
        "a number of seconds, 1 or more",
    ),
    f"{conf.PREFIX}_STATE_TTL": (
        lambda v: _is_number(v) and v >= 0,
        "a number of seconds, 0 or more",
    ),
    f"{conf.PREFIX}_ANNOUNCE_BEFORE": (
        lambda v: (_is_number(v) and v >= 0) or isinstance(v, timedelta),
        "a number of seconds or a timedelta",
    ),
    f"{conf.PREFIX}_TIME_ZONE": (
        lambda v: v is None or isinstance(v, str),
        "a time zone name such as 'Europe/Berlin', or None for TIME_ZONE",
    ),
    f"{conf.PREFIX}_REMIND_AFTER": (
        lambda v: (
            v is None
            or (_is_number(v) and v > 0)
            or (isinstance(v, timedelta) and v > timedelta(0))
        ),
        "a number of seconds or a timedelta, more than 0, or None (never remind)",
    ),
    f"{conf.PREFIX}_TEMPLATE": (lambda v: isinstance(v, str) and bool(v), "a template name"),
    f"{conf.PREFIX}_CACHE": (lambda v: isinstance(v, str) and bool(v), "a cache alias"),
    f"{conf.PREFIX}_CACHE_BACKEND": (
        lambda v: v is None or (isinstance(v, str) and bool(v)),
        "a cache alias or None",
    ),
    f"{conf.PREFIX}_BYPASS_COOKIE_NAME": (
        lambda v: isinstance(v, str) and bool(v),
        "a cookie name (a non-empty string)",
    ),
    f"{conf.PREFIX}_REDIRECT_URL": (
        lambda v: v is None or isinstance(v, str),
        "a path, a URL or a URL name (a string), or None",
    ),
}


@register(Tags.compatibility)
def check_setting_types(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E008: a setting of the wrong type, e.g. a string where a number is meant."""
    messages: list[CheckMessage] = []
    for name, (is_valid, expected) in TYPE_RULES.items():
        if not hasattr(settings, name):
            continue
        value = getattr(settings, name)
        if not is_valid(value):
            messages.append(
                Error(
                    f"{name} is {value!r}; it must be {expected}.",
                    hint=f"Set {name} to {expected}, or remove it to use the default "
                    f"({conf.DEFAULTS[name]!r}).",
                    id="maintenance_panel.E008",
                )
            )
    return messages


CALLABLE_SETTINGS: dict[str, str] = {
    f"{conf.PREFIX}_GET_CONTEXT": "callable(request) -> dict",
    f"{conf.PREFIX}_GET_CLIENT_IP_ADDRESS": "callable(request) -> str",
    f"{conf.PREFIX}_GET_AUTHENTICATED_USER": "callable(request) -> user or None",
}


@register(Tags.compatibility)
def check_callables(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E009: a hook setting (GET_CONTEXT, GET_CLIENT_IP_ADDRESS, GET_AUTHENTICATED_USER)
    that is not a callable or does not import; E010: a RESPONSE_TYPE that is neither
    "html", "json" nor such a callable."""
    messages: list[CheckMessage] = []
    for name, signature in CALLABLE_SETTINGS.items():
        value = conf.get(name)
        if value is None:
            continue
        _, problem = conf.resolve_callable(value)
        if problem is not None:
            messages.append(
                Error(
                    f"{name} = {value!r} {problem}.",
                    hint=f"Set it to a {signature}, or the dotted path of one such as "
                    "'myproject.maintenance.get_context'.",
                    id="maintenance_panel.E009",
                )
            )
    response_type = conf.get(f"{conf.PREFIX}_RESPONSE_TYPE")
    if response_type is not None and response_type not in {"html", "json"}:
        _, problem = conf.resolve_callable(response_type)
        if problem is not None:
            messages.append(
                Error(
                    f"MAINTENANCE_MODE_RESPONSE_TYPE = {response_type!r} {problem}.",
                    hint="Use 'html', 'json', None (choose from the Accept header), or a "
                    "callable(request) returning 'html' or 'json' (or its dotted path).",
                    id="maintenance_panel.E010",
                )
            )
    return messages


@register(Tags.templates)
def check_template(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E011: MAINTENANCE_MODE_TEMPLATE cannot be found or does not compile."""
    name = conf.get(f"{conf.PREFIX}_TEMPLATE")
    if not isinstance(name, str) or not name:
        return []  # E008 reports it
    try:
        loader.get_template(name)
    except TemplateDoesNotExist:
        problem = "cannot be found"
    except TemplateSyntaxError as exc:
        problem = f"does not compile ({exc})"
    else:
        return []
    return [
        Error(
            f"MAINTENANCE_MODE_TEMPLATE {name!r} {problem}.",
            hint="Put the template in a templates directory (TEMPLATES DIRS or an app's "
            "templates/), or remove the setting to use '503.html'.",
            id="maintenance_panel.E011",
        )
    ]


@register(Tags.urls)
def check_redirect_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E012: MAINTENANCE_MODE_REDIRECT_URL is neither a path, a URL nor a URL name."""
    target = conf.get(f"{conf.PREFIX}_REDIRECT_URL")
    if not target or not isinstance(target, str):
        return []
    if target.startswith(("/", "http://", "https://")):
        return []
    try:
        reverse(target)
    except NoReverseMatch:
        return [
            Error(
                f"MAINTENANCE_MODE_REDIRECT_URL {target!r} is not a path, a URL or the name "
                "of a URL without arguments.",
                hint="Use a local path such as '/maintenance/', a full URL, or a URL name "
                "such as 'maintenance-info'.",
                id="maintenance_panel.E012",
            )
        ]
    return []


@register(Tags.compatibility)
def check_static_page(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W007: MAINTENANCE_MODE_STATIC_PAGE cannot be written, so the web server's copy of
    the maintenance page goes stale (changes themselves still work)."""
    value = getattr(settings, f"{conf.PREFIX}_STATIC_PAGE", None)
    if value is None or value == "":
        return []
    problem: str | None = f"is {type(value).__name__}, not a file path"
    if isinstance(value, str | os.PathLike):
        problem = pages.static_page_problem(os.fspath(value))
    if problem is None:
        return []
    return [
        Warning(
            f"MAINTENANCE_MODE_STATIC_PAGE = {value!r} {problem}: the web server's copy "
            "of the maintenance page cannot be kept up to date.",
            hint="Name a file in an existing folder this process may write to, e.g. "
            "'/var/www/maintenance/503.html', and serve it from the web server (see "
            "docs/deploying.md).",
            id="maintenance_panel.W007",
        )
    ]


@register(Tags.compatibility)
def check_time_zone(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E014: a time zone for repeated windows that is not known."""
    name = conf.time_zone_name()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, zoneinfo.available_timezones(), n=1)
        advice = f"Did you mean {close[0]!r}? " if close else ""
        return [
            Error(
                f"The time zone of repeated maintenance windows, {name!r}, is not known; "
                "they are read in UTC until it is fixed.",
                hint=f"{advice}Set {conf.PREFIX}_TIME_ZONE (or TIME_ZONE) to an IANA zone "
                "name such as 'Europe/Berlin' or 'America/New_York'.",
                id="maintenance_panel.E014",
            )
        ]
    return []
