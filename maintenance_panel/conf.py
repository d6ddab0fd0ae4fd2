"""Settings of maintenance_panel, with their defaults, read when used.

Every ``MAINTENANCE_MODE_*`` setting of django-maintenance-mode keeps its name and
meaning. Nothing here is written onto ``django.conf.settings``; values that are
expensive to derive (parsed networks, compiled patterns, imported callables) are
memoized and dropped again by a ``setting_changed`` receiver, so
``override_settings`` always takes effect at once. The list settings, built into
matchers, are :mod:`maintenance_panel.setting_lists`.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import UTC, tzinfo
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

logger = logging.getLogger("maintenance_panel")

PREFIX = "MAINTENANCE_MODE"

#: The boolean exemptions that a setting can fix and the admin can otherwise decide.
#: Setting ``MAINTENANCE_MODE_IGNORE_<X>`` fixes model field ``ignore_<x>``.
IGNORE_FLAGS: tuple[str, ...] = (
    "ADMIN_SITE",
    "STAFF",
    "SUPERUSER",
    "AUTHENTICATED_USER",
    "ANONYMOUS_USER",
)

#: Every setting this app reads, with its default. ``None`` for a flag means "unset:
#: the admin decides".
DEFAULTS: dict[str, Any] = {
    "MAINTENANCE_MODE": None,
    **{f"{PREFIX}_IGNORE_{flag}": None for flag in IGNORE_FLAGS},
    f"{PREFIX}_IGNORE_IP_ADDRESSES": (),
    f"{PREFIX}_IGNORE_URLS": (),
    f"{PREFIX}_IGNORE_TESTS": False,
    f"{PREFIX}_TEMPLATE": "503.html",
    f"{PREFIX}_STATUS_CODE": 503,
    f"{PREFIX}_RETRY_AFTER": 3600,
    f"{PREFIX}_REDIRECT_URL": None,
    f"{PREFIX}_RESPONSE_TYPE": None,
    f"{PREFIX}_GET_CONTEXT": None,
    f"{PREFIX}_GET_CLIENT_IP_ADDRESS": None,
    f"{PREFIX}_GET_AUTHENTICATED_USER": None,
    f"{PREFIX}_LOGOUT_AUTHENTICATED_USER": False,
    f"{PREFIX}_LOGOUT_STAFF_USER": None,
    f"{PREFIX}_LOGOUT_SUPERUSER": None,
    f"{PREFIX}_TRUSTED_PROXY_COUNT": 0,
    f"{PREFIX}_STATE_TTL": 1.0,
    f"{PREFIX}_CACHE": "default",
    # django-maintenance-mode's name for the cache it kept the state in: read as
    # MAINTENANCE_MODE_CACHE when that is not set (see cache_setting()).
    f"{PREFIX}_CACHE_BACKEND": None,
    f"{PREFIX}_FALLBACK": False,
    f"{PREFIX}_ANNOUNCE_BEFORE": 24 * 60 * 60,
    # None: TIME_ZONE (see time_zone_name()).
    f"{PREFIX}_TIME_ZONE": None,
    f"{PREFIX}_BYPASS_COOKIE_NAME": "maintenance_bypass",
    f"{PREFIX}_READ_ONLY": None,
    f"{PREFIX}_READ_ONLY_BLOCK_WRITES": True,
    f"{PREFIX}_SCOPE_URLS": (),
    f"{PREFIX}_STATIC_PAGE": None,
    f"{PREFIX}_IGNORE_TASKS": (),
    f"{PREFIX}_WORK_RETRY": 60,
    f"{PREFIX}_WEBHOOKS": (),
    f"{PREFIX}_REMIND_AFTER": 4 * 60 * 60,
}

#: Settings of django-maintenance-mode that this app does not carry over, and why.
DROPPED: dict[str, str] = {
    f"{PREFIX}_STATE_BACKEND": "the database is the store; remove it",
    f"{PREFIX}_STATE_FILE_NAME": "the database is the store; remove it",
    f"{PREFIX}_STATE_FILE_PATH": "the database is the store; remove it",
    f"{PREFIX}_STATE_BACKEND_FALLBACK_VALUE": f"use {PREFIX}_FALLBACK instead",
}


@cache
def get(name: str) -> Any:
    """Return setting ``name`` (its full name) or its default."""
    return getattr(settings, name, DEFAULTS[name])


@cache
def forced_state() -> bool | None:
    """``MAINTENANCE_MODE``: ``True``/``False`` force the state, ``None`` lets the admin decide."""
    value = getattr(settings, "MAINTENANCE_MODE", None)
    return None if value is None else bool(value)


@cache
def forced_flag(flag: str) -> bool | None:
    """``MAINTENANCE_MODE_IGNORE_<FLAG>`` when set, else ``None`` (the admin decides)."""
    value = getattr(settings, f"{PREFIX}_IGNORE_{flag}", None)
    return None if value is None else bool(value)


def flag_value(name: str, stored: bool) -> bool:
    """Effective ``ignore_<name>``: the setting when set, else the ``stored`` value."""
    forced = forced_flag(name.upper())
    return bool(stored) if forced is None else forced


@cache
def forced_read_only() -> bool | None:
    """``MAINTENANCE_MODE_READ_ONLY``: ``True``/``False`` fix the level (read-only or
    full), ``None`` lets the admin decide."""
    value = get(f"{PREFIX}_READ_ONLY")
    return None if value is None else bool(value)


def read_only_value(stored: bool) -> bool:
    """Effective level: the setting when set, else the ``stored`` ``read_only``."""
    forced = forced_read_only()
    return bool(stored) if forced is None else forced


@cache
def block_writes() -> bool:
    """``MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES``: stop a held-back request's database
    writes while read-only maintenance is in force (default True)."""
    return bool(get(f"{PREFIX}_READ_ONLY_BLOCK_WRITES"))


@cache
def state_ttl() -> float:
    """Seconds a process trusts its snapshot before re-validating it (default 1)."""
    return float(getattr(settings, f"{PREFIX}_STATE_TTL", 1.0))


@cache
def cache_setting() -> str:
    """The setting that names the shared cache: ``MAINTENANCE_MODE_CACHE``, or, when only
    it is set, django-maintenance-mode's ``MAINTENANCE_MODE_CACHE_BACKEND``."""
    if getattr(settings, f"{PREFIX}_CACHE", None) is None and getattr(
        settings, f"{PREFIX}_CACHE_BACKEND", None
    ):
        return f"{PREFIX}_CACHE_BACKEND"
    return f"{PREFIX}_CACHE"


def cache_alias() -> str:
    """Alias of the shared Django cache that carries the state's version stamp."""
    return str(get(cache_setting()))


def fallback_state() -> bool:
    """State used when neither cache nor database answers and no snapshot is known."""
    return bool(get(f"{PREFIX}_FALLBACK"))


@cache
def ignore_tests() -> bool:
    """``MAINTENANCE_MODE_IGNORE_TESTS``: never hold requests back inside a test run."""
    return bool(get(f"{PREFIX}_IGNORE_TESTS"))


def template_name() -> str:
    """Template of the maintenance page (default ``503.html``)."""
    return str(get(f"{PREFIX}_TEMPLATE"))


def status_code() -> int:
    """Status code of the maintenance response (default 503)."""
    return int(get(f"{PREFIX}_STATUS_CODE"))


def retry_after() -> int | None:
    """Default ``Retry-After`` in seconds when no end is scheduled; 0/None omits it."""
    value = get(f"{PREFIX}_RETRY_AFTER")
    return int(value) if value else None


def redirect_url() -> str | None:
    """Where held-back requests are redirected instead of the page (a path or URL name)."""
    return get(f"{PREFIX}_REDIRECT_URL") or None


@cache
def response_type() -> Any:
    """``"html"``, ``"json"``, a callable (a dotted path is imported), or ``None`` to
    negotiate from ``Accept`` (also when it does not resolve: never a 500; checked)."""
    value = get(f"{PREFIX}_RESPONSE_TYPE")
    if value is None or (isinstance(value, str) and value in {"html", "json"}):
        return value
    return _import(f"{PREFIX}_RESPONSE_TYPE")


def static_page() -> str | None:
    """``MAINTENANCE_MODE_STATIC_PAGE``: the file kept up to date with the maintenance
    page for the web server in front (rewritten after every committed change), or None."""
    value = get(f"{PREFIX}_STATIC_PAGE")
    return None if value is None or value == "" else str(value)


def trusted_proxy_count() -> int:
    """How many proxies' ``X-Forwarded-For`` entries to trust (default 0: none)."""
    return int(get(f"{PREFIX}_TRUSTED_PROXY_COUNT"))


def announce_before() -> float:
    """Seconds before a scheduled window during which the banner announces it."""
    value = get(f"{PREFIX}_ANNOUNCE_BEFORE")
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


def time_zone_name() -> str:
    """The zone of a repeated window's wall-clock times: ``MAINTENANCE_MODE_TIME_ZONE``,
    else ``TIME_ZONE`` (else UTC)."""
    value = get(f"{PREFIX}_TIME_ZONE")
    return str(value or getattr(settings, "TIME_ZONE", None) or "UTC")


def time_zone() -> tzinfo:
    """:func:`time_zone_name` as a zone; UTC when the name is unknown (a system check
    reports it)."""
    try:
        return zoneinfo.ZoneInfo(time_zone_name())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def remind_after() -> float | None:
    """``MAINTENANCE_MODE_REMIND_AFTER``: seconds maintenance may stay on before the team
    is reminded (``still_on``), 4 hours by default; None: never."""
    value = get(f"{PREFIX}_REMIND_AFTER")
    if value is None:
        return None
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


def bypass_cookie_name() -> str:
    """Name of the cookie set by a bypass link."""
    return str(get(f"{PREFIX}_BYPASS_COOKIE_NAME"))


def logout_policy() -> tuple[bool, bool, bool]:
    """(authenticated, staff, superuser): log such held-back users out?

    The staff and superuser settings default to the authenticated-user one.
    """
    authenticated = bool(get(f"{PREFIX}_LOGOUT_AUTHENTICATED_USER"))
    staff = get(f"{PREFIX}_LOGOUT_STAFF_USER")
    superuser = get(f"{PREFIX}_LOGOUT_SUPERUSER")
    return (
        authenticated,
        authenticated if staff is None else bool(staff),
        authenticated if superuser is None else bool(superuser),
    )


def work_retry() -> int:
    """``MAINTENANCE_MODE_WORK_RETRY``: seconds before held work is tried again (60)."""
    return max(1, int(get(f"{PREFIX}_WORK_RETRY")))


def webhooks() -> Any:
    """``MAINTENANCE_MODE_WEBHOOKS``: the webhooks told of each event, as written (a
    list of dicts with ``url``, ``secret`` and ``format``; checked by E014)."""
    return get(f"{PREFIX}_WEBHOOKS")


def resolve_callable(value: Any) -> tuple[Callable[..., Any] | None, str | None]:
    """(the callable, None) for a callable or the dotted path of one, else (None, why
    not)."""
    if callable(value):
        return value, None
    if not isinstance(value, str):
        return None, f"is {type(value).__name__}, not a callable or a dotted path"
    try:
        imported = import_string(value)
    except ImportError as exc:
        return None, f"does not import ({exc})"
    if not callable(imported):
        return None, f"names {type(imported).__name__} {imported!r}, not a callable"
    return imported, None


def _import(name: str) -> Callable[..., Any] | None:
    """The callable setting ``name`` names, or None when unset or unusable (logged and
    ignored rather than raised on every request: the system check reports it)."""
    value = get(name)
    if value is None:
        return None
    function, problem = resolve_callable(value)
    if problem is not None:
        logger.error("maintenance_panel: %s = %r %s; ignored", name, value, problem)
    return function


@cache
def get_context_function() -> Callable[..., Any] | None:
    """``MAINTENANCE_MODE_GET_CONTEXT``: callable(request) -> dict of extra context."""
    return _import(f"{PREFIX}_GET_CONTEXT")


@cache
def client_ip_function() -> Callable[..., Any] | None:
    """``MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS``: callable(request) -> IP string."""
    return _import(f"{PREFIX}_GET_CLIENT_IP_ADDRESS")


@cache
def authenticated_user_function() -> Callable[..., Any] | None:
    """``MAINTENANCE_MODE_GET_AUTHENTICATED_USER``: callable(request) -> user or None."""
    return _import(f"{PREFIX}_GET_AUTHENTICATED_USER")


_MEMOIZED = (
    # Read on every request: a settings lookup of an unset name raises and catches
    # AttributeError, which alone costs more than the rest of the "off" path.
    get,
    forced_state,
    forced_flag,
    state_ttl,
    cache_setting,
    ignore_tests,
    forced_read_only,
    block_writes,
    get_context_function,
    client_ip_function,
    authenticated_user_function,
    response_type,
)


def clear_memoized() -> None:
    """Forget every derived value (called when any setting changes)."""
    for function in _MEMOIZED:
        function.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX) or setting in {"CACHES", "TEMPLATES", "LANGUAGE_CODE"}:
        clear_memoized()
