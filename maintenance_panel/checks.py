"""System checks: each has a stable id and says how to fix what it finds."""

from __future__ import annotations

import difflib
import os
import re
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register
from django.db import DatabaseError, connections, router
from django.template import TemplateDoesNotExist, TemplateSyntaxError, loader
from django.urls import NoReverseMatch, get_resolver, reverse

from maintenance_panel import conf, core, matching, state, staticpage
from maintenance_panel.models import BypassLink, MaintenanceConfig
from maintenance_panel.validators import split_lines

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


@register(Tags.templates)
def check_app_order(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W005: listed after the admin, so the admin's templates hide the app's banner."""
    names = [config.name for config in apps.get_app_configs()]
    if "django.contrib.admin" not in names or "maintenance_panel" not in names:
        return []
    if names.index("maintenance_panel") < names.index("django.contrib.admin"):
        return []
    return [
        Warning(
            "'maintenance_panel' comes after 'django.contrib.admin' in INSTALLED_APPS, so "
            "the admin's own templates are used and its pages show no maintenance banner.",
            hint="Move 'maintenance_panel' above 'django.contrib.admin' in INSTALLED_APPS.",
            id="maintenance_panel.W005",
        )
    ]


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


def _list_setting(name: str) -> tuple[list[Any], list[CheckMessage]]:
    value = conf.get(name)
    if value is None:
        return [], []
    if isinstance(value, list | tuple | set | frozenset):
        return [entry if isinstance(entry, re.Pattern) else str(entry) for entry in value], []
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
    E006: a URL entry (exemption or scope) that is not a regular expression; W008: a
    URL entry that only Python's backtracking ``re`` accepts."""
    messages: list[CheckMessage] = []
    entries, errors = _list_setting(f"{conf.PREFIX}_IGNORE_IP_ADDRESSES")
    messages += errors
    for entry in entries:
        try:
            matching.parse_network(str(entry))
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
    messages += url_setting_messages(f"{conf.PREFIX}_IGNORE_URLS")
    messages += url_setting_messages(f"{conf.PREFIX}_SCOPE_URLS")
    return messages


def url_setting_messages(name: str) -> list[CheckMessage]:
    """E004, E006 and W008 for list setting ``name`` of URL patterns."""
    entries, messages = _list_setting(name)
    for entry in entries:
        if isinstance(entry, re.Pattern):
            continue  # compiled by the project itself: matched with Python's re, as given
        problem = matching.check_pattern(entry)
        if problem is None:
            continue
        if problem.reason == "unsupported":
            why = problem.detail or problem.construct
            messages.append(
                Warning(
                    f"{name}: {entry!r} is matched with Python's backtracking re, not in "
                    f"linear time: RE2 does not support it ({why}).",
                    hint="Rewrite it in RE2 syntax (see the README, 'URL patterns'), or "
                    "make sure it cannot take exponential time on a hostile path.",
                    id="maintenance_panel.W008",
                )
            )
            continue
        try:
            matching.compile_python(entry)
        except ValueError as exc:
            messages.append(
                Error(
                    f"{name}: {entry!r} is not a regular expression ({exc}).",
                    hint="Fix the pattern; it is matched with re.match against the path.",
                    id="maintenance_panel.E006",
                )
            )
    return messages


@register(Tags.caches)
def check_cache_alias(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E007: MAINTENANCE_MODE_CACHE names a cache that is not in CACHES."""
    if conf.cache_alias() in settings.CACHES:
        return []
    return [
        Error(
            f"MAINTENANCE_MODE_CACHE names cache {conf.cache_alias()!r}, which is not in CACHES.",
            hint="Name an alias from CACHES, or remove the setting to use 'default'.",
            id="maintenance_panel.E007",
        )
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """I001 (``check --deploy``): the cache is process-local, so each process re-reads
    the database; fine for one process, not for several."""
    if conf.cache_alias() not in settings.CACHES or state.cache_is_shared():
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
    f"{conf.PREFIX}_STATE_TTL": (
        lambda v: _is_number(v) and v >= 0,
        "a number of seconds, 0 or more",
    ),
    f"{conf.PREFIX}_ANNOUNCE_BEFORE": (
        lambda v: (_is_number(v) and v >= 0) or isinstance(v, timedelta),
        "a number of seconds or a timedelta",
    ),
    f"{conf.PREFIX}_TEMPLATE": (lambda v: isinstance(v, str) and bool(v), "a template name"),
    f"{conf.PREFIX}_CACHE": (lambda v: isinstance(v, str) and bool(v), "a cache alias"),
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


@register(Tags.urls, Tags.database)
def check_urls_included(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W004 (``check --database``): usable bypass links exist, but maintenance_panel.urls
    is not in the URLconf, so they lead nowhere.

    The include is optional: without bypass links nothing is broken, and a plain
    ``check`` (no database) stays quiet.
    """
    if core.urls_included():
        return []
    messages: list[CheckMessage] = []
    for alias in databases or ():
        if not router.allow_migrate_model(alias, BypassLink):
            continue
        try:
            count = BypassLink.objects.using(alias).usable().count()
        except DatabaseError:
            continue  # not migrated: W003 says it
        if count:
            messages.append(
                Warning(
                    f"{count} usable bypass link(s) in database {alias!r}, but "
                    "maintenance_panel.urls is not included in the URLconf: the links "
                    "lead nowhere.",
                    hint=f"Add {core.URLS_INCLUDE} to ROOT_URLCONF's urlpatterns, or "
                    "revoke the links (manage.py maintenance_mode bypass revoke NAME).",
                    id="maintenance_panel.W004",
                )
            )
    return messages


#: A sample value for each path converter, to turn a route into a path.
_CONVERTER_SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_SPECIAL = set("\\.^$*+?{}[]|()")


def _literal_prefix(regex: str) -> str:
    """The literal start of a regular expression (``^shop/(?P<id>\\d+)/`` -> ``shop/``)."""
    prefix = []
    for char in regex.removeprefix("^"):
        if char in _REGEX_SPECIAL:
            break
        prefix.append(char)
    return "".join(prefix)


def url_samples(patterns: Any, prefix: str = "/") -> list[tuple[str, bool]]:
    """(path, exact) for every URL of ``patterns``: a path the route resolves (exact),
    or, for a regular-expression route, its literal start (not exact)."""
    samples: list[tuple[str, bool]] = []
    for entry in patterns:
        pattern = entry.pattern
        route = getattr(pattern, "_route", None)
        exact = route is not None
        if route is not None:
            part = _ROUTE_PARAMETER.sub(
                lambda m: _CONVERTER_SAMPLES.get(m.group("converter") or "str", "x"), route
            )
        else:
            regex = getattr(pattern, "_regex", None)
            part = _literal_prefix(regex) if isinstance(regex, str) else ""
            exact = isinstance(regex, str) and part == regex.removeprefix("^").removesuffix("$")
        nested = getattr(entry, "url_patterns", None)
        if nested is not None:
            samples.append((prefix + part, False))
            samples += url_samples(nested, prefix + part)
        else:
            samples.append((prefix + part, exact))
    return samples


def _may_match_a_url(pattern: re.Pattern[str], samples: list[tuple[str, bool]]) -> bool:
    literal = "/" + _literal_prefix(pattern.pattern).removeprefix("/")
    for path, exact in samples:
        if pattern.match(path):
            return True
        # A regular-expression route or an include: only its start is known.
        if not exact and (literal.startswith(path) or path.startswith(literal)):
            return True
    return False


def _scope_warnings(entries: list[tuple[str, str]]) -> list[CheckMessage]:
    if not entries:
        return []
    try:
        samples = url_samples(get_resolver().url_patterns)
    except ImportError:
        return []  # Django's own URL checks report a URLconf that does not import
    messages: list[CheckMessage] = []
    for where, entry in entries:
        try:
            pattern = re.compile(entry)
        except re.error:
            continue  # E006 (or the admin form) reports it
        if not _may_match_a_url(pattern, samples):
            messages.append(
                Warning(
                    f"{where}: {entry!r} matches no URL of the URLconf, so maintenance "
                    "with this scope holds nothing back.",
                    hint="Scope patterns are matched with re.match against the whole path, "
                    "which starts with a slash: write e.g. '^/checkout/' for the URLs "
                    "under checkout/.",
                    id="maintenance_panel.W006",
                )
            )
    return messages


@register(Tags.urls)
def check_scope_matches_urls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W006: a pattern of MAINTENANCE_MODE_SCOPE_URLS that matches no URL of the
    URLconf, so maintenance with that scope holds nothing back."""
    return _scope_warnings(
        [(f"{conf.PREFIX}_SCOPE_URLS", entry) for entry in conf.scope_url_entries()]
    )


@register(Tags.database, Tags.urls)
def check_stored_scope_matches_urls(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W006 (``check --database``): the same for the scope the admin stored."""
    if not databases:
        return []
    try:
        stored = split_lines(state.load_data().get("scope_urls", ""))
    except DatabaseError:
        return []  # W003 and the database's own checks say why
    return _scope_warnings([("the admin's scope", entry) for entry in stored])


# A deployment check: ``migrate`` runs the database checks before it creates the
# tables, and would otherwise warn about the very thing it is about to fix.
@register(Tags.database, deploy=True)
def check_tables(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W003 (``check --deploy --database``): the maintenance tables are missing: not
    migrated."""
    messages: list[CheckMessage] = []
    table = MaintenanceConfig._meta.db_table
    for alias in databases or ():
        if not router.allow_migrate_model(alias, MaintenanceConfig):
            continue
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                tables = connection.introspection.table_names(cursor)
        except DatabaseError:
            continue  # the database's own checks and connection errors say it
        if table not in tables:
            messages.append(
                Warning(
                    f"Table {table!r} does not exist in database {alias!r}: "
                    "maintenance_panel is not migrated, so the admin cannot switch "
                    "maintenance mode (the site runs with MAINTENANCE_MODE_FALLBACK).",
                    hint="run migrate: python manage.py migrate maintenance_panel",
                    id="maintenance_panel.W003",
                )
            )
    return messages


@register(Tags.compatibility)
def check_static_page(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W007: MAINTENANCE_MODE_STATIC_PAGE cannot be written, so the web server's copy of
    the maintenance page goes stale (changes themselves still work)."""
    value = getattr(settings, f"{conf.PREFIX}_STATIC_PAGE", None)
    if value is None or value == "":
        return []
    problem: str | None = f"is {type(value).__name__}, not a file path"
    if isinstance(value, str | os.PathLike):
        problem = staticpage.static_page_problem(os.fspath(value))
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
