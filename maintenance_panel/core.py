"""The Python API: read and change maintenance mode from code and tests.

Every change goes through the same path as the admin: the same validation, the
history, the ``maintenance_mode_changed`` signal and the cache refresh.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance_panel import conf, state, tokens, work
from maintenance_panel.fleet import ProcessReport, read_reports
from maintenance_panel.models import BypassLink, MaintenanceConfig, hash_token, history
from maintenance_panel.values import InvalidValue, Moment, check_bool, to_moment

if TYPE_CHECKING:
    from maintenance_panel.overrides import override_maintenance_mode

__all__ = [
    "InvalidValue",
    "create_api_token",
    "create_bypass_link",
    "fleet",
    "get_maintenance_mode",
    "is_read_only",
    "is_work_held",
    "maintenance_mode_off",
    "maintenance_mode_on",
    "override_maintenance_mode",
    "revoke_api_token",
    "revoke_bypass_link",
    "set_maintenance_mode",
    "work_retry_delay",
    "work_state",
]


#: The URLconf line that bypass links and the status endpoint need.
URLS_INCLUDE = 'path("maintenance/", include("maintenance_panel.urls"))'


def urls_included() -> bool:
    """Whether the project's URLconf includes ``maintenance_panel.urls``."""
    try:
        reverse("maintenance_panel:status")
    except NoReverseMatch:
        return False
    return True


def urls_missing_message() -> str:
    """What to add to the URLconf so that bypass links lead somewhere."""
    return _(
        "Bypass links need the app's URLs, which the URLconf does not include: add "
        "%(line)s to your project's urlpatterns."
    ) % {"line": URLS_INCLUDE}


def get_maintenance_mode() -> bool:
    """Whether the site is under maintenance now (settings, switch and window), at any
    level and whatever the scope."""
    forced = conf.forced_state()
    # A forced state needs no snapshot, so no database: a SimpleTestCase may ask.
    return forced if forced is not None else state.get_snapshot().active()


def is_read_only() -> bool:
    """Whether read-only maintenance is in force now: maintenance is on (settings,
    switch and window) and its level is read-only (``MAINTENANCE_MODE_READ_ONLY`` or
    the stored ``read_only``). False while maintenance is off or full."""
    return state.get_snapshot().read_only_in_force()


def is_work_held(name: str = "") -> bool:
    """Whether background work called ``name`` (a task or management command) must not
    start now: maintenance is on (settings, or the switch and its window), covers the
    whole site, is full rather than read-only, and ``name`` matches none of
    ``MAINTENANCE_MODE_IGNORE_TASKS`` and the admin's ``ignore_tasks``. Answered from this
    process's snapshot, as requests are (no query while it is fresh)."""
    return work.is_held(state.active_snapshot(), name)


def work_state(name: str = "") -> work.WorkState:
    """What maintenance means for work called ``name`` now: held or not, why
    (``reason``), until when (``ends_at``), and whether it runs under the write guard."""
    return work.work_state(state.active_snapshot(), name)


def work_retry_delay(name: str = "") -> int:
    """Seconds after which work called ``name``, held now, is tried again:
    ``MAINTENANCE_MODE_WORK_RETRY`` (default 60), or the window's end if that is sooner."""
    return work_state(name).retry_delay()


def _scope_text(scope: Any) -> str:
    """The stored form of a scope given as a list of patterns (or one string)."""
    if isinstance(scope, str):
        return scope
    if not isinstance(scope, list | tuple):
        raise TypeError(f"scope must be a list of regular expressions, not {scope!r}")
    return "\n".join(str(pattern) for pattern in scope)


def set_maintenance_mode(
    value: bool,
    *,
    start: Moment | None = None,
    end: Moment | None = None,
    title: str | None = None,
    message: str | None = None,
    read_only: bool | None = None,
    scope: list[str] | tuple[str, ...] | None = None,
    recurrence: str | None = None,
    recurrence_duration: timedelta | None = None,
    user: Any = None,
    source: str = "api",
    label: str = "",
) -> None:
    """Turn maintenance mode on or off, optionally for a window and with a new text.

    ``read_only``: True for read-only maintenance (the site stays readable, changes are
    refused), False for full maintenance. ``scope``: the regular expressions of the
    URLs under maintenance (``[]`` for the whole site). ``recurrence``: a repeat rule
    (``"FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"``; ``""`` stops repeating), and
    ``recurrence_duration``: a timedelta. None keeps what is stored, for all of these.

    ``start`` and ``end`` are datetimes or ISO 8601 strings (naive ones are read in the
    current time zone) or timedeltas from now. Switching on replaces the window with the one given
    (none: on at once, until switched off). The change is validated as the admin
    validates it, recorded in the history as ``user`` (or ``label``) through
    ``source``, and takes effect once the transaction commits.

    Raises ``ImproperlyConfigured`` when ``MAINTENANCE_MODE`` fixes the state (or
    ``MAINTENANCE_MODE_READ_ONLY`` the level asked for), and :class:`InvalidValue` (a
    ``ValidationError`` that is also a ``ValueError``) for a time that cannot be read,
    a window that ends before it starts or, when switching on, has already ended, for
    a scope line that is not a regular expression, and for a rule or duration the
    admin would refuse.
    """
    check_bool(value, "value")
    _refuse_what_settings_fix(read_only)
    scope_text = None if scope is None else _scope_text(scope)
    starts_at, ends_at = _window(value, start, end)
    with transaction.atomic(), history.recording(source=source, user=user, label=label):
        config = _config_for_update()
        config.enabled = value
        if value or starts_at is not None or ends_at is not None:
            config.starts_at, config.ends_at = starts_at, ends_at
        given: dict[str, Any] = {"title": title, "message": message, "read_only": read_only}
        given |= {"recurrence": recurrence, "recurrence_duration": recurrence_duration}
        _set_given(config, {**given, "scope_urls": scope_text})
        _full_clean(config, exclude=["ignore_groups", "ignore_users"])
        config.save()


def _set_given(config: MaintenanceConfig, values: dict[str, Any]) -> None:
    """Set the fields given (None keeps what is stored)."""
    for name, given in values.items():
        if given is not None:
            setattr(config, name, given)


def _full_clean(instance: Any, *, exclude: list[str]) -> None:
    """``instance.full_clean()``, raising :class:`InvalidValue` for what it refuses."""
    try:
        instance.full_clean(exclude=exclude)
    except InvalidValue:
        raise
    except ValidationError as exc:
        raise InvalidValue(exc.update_error_dict({})) from exc


def _config_for_update() -> MaintenanceConfig:
    # Locked until the transaction ends, so that two switches never interleave.
    query = MaintenanceConfig.objects.select_for_update()
    return query.filter(pk=MaintenanceConfig.singleton_instance_id).first() or MaintenanceConfig()


def _refuse_what_settings_fix(read_only: bool | None) -> None:
    if read_only is not None:
        check_bool(read_only, "read_only")
        forced_level = conf.forced_read_only()
        if forced_level is not None and forced_level != read_only:
            raise ImproperlyConfigured(
                _(
                    "The maintenance level is fixed by the MAINTENANCE_MODE_READ_ONLY "
                    "setting (%(value)s); remove that setting to change it here."
                )
                % {"value": forced_level}
            )
    forced = conf.forced_state()
    if forced is not None:
        raise ImproperlyConfigured(
            _(
                "Maintenance mode is fixed by the MAINTENANCE_MODE setting (%(value)s); "
                "remove that setting to change it here."
            )
            % {"value": forced}
        )


def _window(
    value: bool, start: Moment | None, end: Moment | None
) -> tuple[datetime | None, datetime | None]:
    starts_at = to_moment(start, name="start")
    ends_at = to_moment(end, name="end")
    if value and ends_at is not None and ends_at <= timezone.now():
        raise InvalidValue(
            {
                "ends_at": ValidationError(
                    _("The end of the window is in the past."), code="end_in_past"
                )
            }
        )
    return starts_at, ends_at


def fleet() -> list[ProcessReport]:
    """The processes that served requests recently, newest first, each with the state
    it applies: ``host``, ``pid``, ``version``, ``active``, ``forced`` (its own settings
    fix the state), ``seen_at`` and ``ttl``.

    "Recently" is within ``fleet.seen_recently()`` seconds (60, or three
    ``MAINTENANCE_MODE_STATE_TTL`` if longer). With a process-local cache (LocMem) each
    process sees only its own report. Raises ``fleet.ReportsUnavailable`` when the
    cache cannot be read.
    """
    return read_reports()


def _override_class() -> type[override_maintenance_mode]:
    # The test helper builds on django.test, which a running site never has to import
    # (tests/test_core.py checks it): it is loaded when a test first asks for it.
    from maintenance_panel.overrides import override_maintenance_mode

    return override_maintenance_mode


def maintenance_mode_on() -> override_maintenance_mode:
    """``override_maintenance_mode(True)``: a context manager or decorator."""
    return _override_class()(True)


def maintenance_mode_off() -> override_maintenance_mode:
    """``override_maintenance_mode(False)``: a context manager or decorator."""
    return _override_class()(False)


def __getattr__(name: str) -> Any:
    if name == "override_maintenance_mode":
        return _override_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def create_bypass_link(
    name: str,
    *,
    expires_at: Moment | None = None,
    user: Any = None,
    source: str = "api",
    label: str = "",
) -> str:
    """Make a bypass link and return its path; the secret appears only in that path.

    ``expires_at`` is a datetime, an ISO 8601 string or a timedelta from now (None:
    until revoked). Whoever opens the path uses the site during maintenance until the
    link expires or is revoked. Raises :class:`InvalidValue` for a name in use or a
    past expiry, and
    ``ImproperlyConfigured`` when the URLconf does not include ``maintenance_panel.urls``
    (the link would lead nowhere).
    """
    expires = to_moment(expires_at, name="expires_at")
    if expires is not None and expires <= timezone.now():
        raise InvalidValue(
            {"expires_at": ValidationError(_("The expiry is in the past."), code="expired")}
        )
    token = secrets.token_urlsafe(32)
    # Before writing: without the app's URLs there is no link to hand out.
    try:
        path = reverse("maintenance_panel:bypass", kwargs={"token": token})
    except NoReverseMatch as exc:
        raise ImproperlyConfigured(urls_missing_message()) from exc
    with transaction.atomic(), history.recording(source=source, user=user, label=label):
        link = BypassLink(name=name, expires_at=expires, created_by=history.stored_user(user))
        link.token_hash = hash_token(token)
        _full_clean(link, exclude=["token_hash"])
        link.save()
    return path


def revoke_bypass_link(
    name: str, *, user: Any = None, source: str = "api", label: str = ""
) -> None:
    """End bypass link ``name`` and every cookie made from it.

    Raises :class:`InvalidValue` when there is no link of that name; revoking a revoked
    link again does nothing.
    """
    with transaction.atomic(), history.recording(source=source, user=user, label=label):
        link = BypassLink.objects.select_for_update().filter(name=name).first()
        if link is None:
            raise InvalidValue(
                _("There is no bypass link named “%(name)s”."),
                params={"name": name},
                code="unknown",
            )
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])


def create_api_token(
    name: str,
    *,
    scopes: Iterable[str] = ("read", "switch"),
    expires_at: Moment | None = None,
    user: Any = None,
    source: str = "api",
    label: str = "",
) -> str:
    """Make an API token for the automation API and return it: this is the only place
    the token appears (only a hash of it is stored).

    ``scopes``: ``"read"`` (GET the state) and/or ``"switch"`` (POST changes).
    ``expires_at`` is a datetime, an ISO 8601 string or a timedelta from now (None:
    until revoked). Raises :class:`InvalidValue` for a name in use, an unknown scope or
    a past expiry.
    """
    return tokens.create_token(
        name, scopes=scopes, expires_at=expires_at, user=user, source=source, label=label
    )


def revoke_api_token(name: str, *, user: Any = None, source: str = "api", label: str = "") -> None:
    """End API token ``name``: its next request is refused. Raises
    :class:`InvalidValue` when there is no token of that name; revoking a revoked token
    again does nothing."""
    tokens.revoke_token(name, user=user, source=source, label=label)
