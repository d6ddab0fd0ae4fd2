"""The maintenance response: redirect, HTML page or JSON, with the right headers.

The HTML (and JSON) body is made once per config version, language, template and
``Retry-After`` and then reused, so a held-back request costs less than the page it
replaces. A body shared by every visitor must not carry one visitor's data (their
user, a CSRF token), so it is rendered without the request: context processors do not
run. A project's ``MAINTENANCE_MODE_GET_CONTEXT`` may depend on the request, so with it
set every page is rendered anew, with the request.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from functools import cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import loader
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from maintenance_panel import conf
from maintenance_panel.decision import redirect_path
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.state import snapshot_dropped
from maintenance_panel.windows import window_phase

_bodies: dict[tuple[Any, ...], bytes] = {}
_MAX_BODIES = 64
#: ``Accept`` header -> "html" | "json": parsing the header costs more than the rest.
_negotiated: dict[str, str] = {}
_MAX_NEGOTIATED = 256


@receiver(snapshot_dropped)
def clear_cache(**kwargs: Any) -> None:
    """Forget the rendered bodies (on every state change and in tests)."""
    _bodies.clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    # Templates, language or the page's settings may render differently now.
    if setting.startswith(conf.PREFIX) or setting in {"TEMPLATES", "LANGUAGE_CODE"}:
        clear_cache()


@cache
def _never_cache_control() -> str:
    # Exactly what add_never_cache_headers() writes on a fresh response.
    probe = HttpResponse()
    add_never_cache_headers(probe)
    return str(probe["Cache-Control"])


def _add_never_cache_headers(response: HttpResponse) -> None:
    """add_never_cache_headers() for a response of ours (no caching headers yet)."""
    response.headers["Expires"] = http_date(time.time())
    response.headers["Cache-Control"] = _never_cache_control()


def _negotiate(request: HttpRequest) -> str:
    accept = request.META.get("HTTP_ACCEPT", "")
    kind = _negotiated.get(accept)
    if kind is None:
        preferred = request.get_preferred_type(["text/html", "application/json"])
        kind = "json" if preferred == "application/json" else "html"
        if len(_negotiated) >= _MAX_NEGOTIATED:
            _negotiated.clear()
        _negotiated[accept] = kind
    return kind


def retry_after_seconds(snapshot: Snapshot, now: datetime | None = None) -> int | None:
    """Seconds left until ``ends_at`` when set, else ``MAINTENANCE_MODE_RETRY_AFTER``."""
    if snapshot.ends_at is not None and snapshot.enabled:
        now = now or timezone.now()
        return max(1, int((snapshot.ends_at - now).total_seconds() + 0.999))
    return conf.retry_after()


def status_summary(snapshot: Snapshot) -> dict[str, Any]:
    """The effective state for status pages, probes and ``maintenance_mode status``:
    ``enabled``, ``active``, ``forced_by_settings``, ``window`` (``starts_at``,
    ``ends_at``, ``phase``), ``retry_after`` (while active), ``read_only`` (the level:
    read-only rather than full) and ``scope`` (the patterns of the URLs under
    maintenance; empty for the whole site). Datetimes as they are."""
    forced = conf.forced_state()
    active = snapshot.active()
    return {
        "enabled": snapshot.enabled if forced is None else forced,
        "active": active,
        "forced_by_settings": forced is not None,
        "window": {
            "starts_at": snapshot.starts_at,
            "ends_at": snapshot.ends_at,
            "phase": window_phase(snapshot.starts_at, snapshot.ends_at),
        },
        "retry_after": retry_after_seconds(snapshot) if active else None,
        "read_only": snapshot.level_is_read_only(),
        "scope": snapshot.scope(),
    }


def default_text(read_only: bool) -> tuple[str, str]:
    """The title and message shown when the operator has not written any."""
    if read_only:
        return (
            _("Changes are paused"),
            _(
                "The site is in read-only mode for maintenance: you can read it as usual, "
                "but changes cannot be saved right now. Please try again later."
            ),
        )
    return _("Website unavailable"), _("Please try again later.")


def page_context(
    snapshot: Snapshot, retry_after: int | None, *, read_only: bool = False
) -> dict[str, Any]:
    """What the maintenance template gets (before ``MAINTENANCE_MODE_GET_CONTEXT``).

    ``read_only``: the page answers a change refused during read-only maintenance.
    """
    title, message = default_text(read_only)
    return {
        "title": snapshot.title or title,
        "message": snapshot.message or message,
        "read_only": read_only,
        "starts_at": snapshot.starts_at,
        "ends_at": snapshot.ends_at,
        "retry_after": retry_after,
        # What the i18n context processor would give, for <html lang> and dir.
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        # Tells {% maintenance_banner %} not to speak on the maintenance page itself.
        "maintenance_page": True,
    }


def json_payload(
    snapshot: Snapshot, retry_after: int | None, *, read_only: bool = False
) -> dict[str, Any]:
    """The JSON body of the maintenance response (with ``"read_only": true`` for a
    change refused during read-only maintenance)."""
    context = page_context(snapshot, retry_after, read_only=read_only)
    payload: dict[str, Any] = {
        "detail": _("Service unavailable: maintenance in progress.")
        if not read_only
        else _("Changes are paused: read-only maintenance in progress."),
        "title": str(context["title"]),
        "message": str(context["message"]),
        "retry_after": retry_after,
        "ends_at": snapshot.ends_at.isoformat() if snapshot.ends_at else None,
    }
    if read_only:
        payload["read_only"] = True
    return payload


def _chosen_type(request: HttpRequest) -> tuple[str, bool]:
    """("html" | "json", negotiated?)."""
    setting = conf.response_type()  # "html", "json", a callable (imported) or None
    if setting is None:
        return _negotiate(request), True
    if callable(setting):
        return ("json" if setting(request) == "json" else "html"), False
    return setting, False


def _remember(key: tuple[Any, ...], body: bytes) -> bytes:
    if len(_bodies) >= _MAX_BODIES:
        _bodies.clear()
    _bodies[key] = body
    return body


def _json_body(snapshot: Snapshot, retry_after: int | None, read_only: bool) -> bytes:
    key = ("json", snapshot.stamp, translation.get_language(), retry_after, read_only)
    body = _bodies.get(key)
    if body is None:
        payload = json_payload(snapshot, retry_after, read_only=read_only)
        body = _remember(key, json.dumps(payload).encode())
    return body


def render_page(
    request: HttpRequest,
    snapshot: Snapshot,
    retry_after: int | None,
    *,
    read_only: bool = False,
) -> str:
    """The maintenance page for ``snapshot``, rendered now (the admin's preview uses it).

    Without ``MAINTENANCE_MODE_GET_CONTEXT`` it is rendered without the request, so the
    result may be shared by every visitor; with it, with the request.
    """
    context = page_context(snapshot, retry_after, read_only=read_only)
    extra_function = conf.get_context_function()
    if extra_function is None:
        return loader.render_to_string(conf.template_name(), context)
    context.update(extra_function(request) or {})
    return loader.render_to_string(conf.template_name(), context, request=request)


def _render_html(
    request: HttpRequest, snapshot: Snapshot, retry_after: int | None, read_only: bool
) -> bytes:
    if conf.get_context_function() is not None:
        return render_page(request, snapshot, retry_after, read_only=read_only).encode()
    # With an end set, Retry-After counts down; the page may say it in minutes.
    bucket = retry_after if snapshot.ends_at is None else (retry_after or 0) // 60
    key = (
        "html",
        snapshot.stamp,
        translation.get_language(),
        conf.template_name(),
        bucket,
        read_only,
    )
    body = _bodies.get(key)
    if body is None:
        page = render_page(request, snapshot, retry_after, read_only=read_only)
        body = _remember(key, page.encode())
    return body


def maintenance_response(
    request: HttpRequest, snapshot: Snapshot, *, read_only: bool = False
) -> HttpResponse:
    """The response a held-back request gets.

    ``read_only``: the request tried to change something during read-only maintenance;
    the page (or JSON) says that changes are paused. Status and headers are the same.
    """
    redirect = conf.redirect_url()
    if redirect:
        target = redirect_path() or redirect
        response: HttpResponse = HttpResponseRedirect(target)
        add_never_cache_headers(response)
        return response
    retry_after = retry_after_seconds(snapshot)
    kind, negotiated = _chosen_type(request)
    if kind == "json":
        response = HttpResponse(
            _json_body(snapshot, retry_after, read_only),
            content_type="application/json",
            status=conf.status_code(),
        )
    else:
        response = HttpResponse(
            _render_html(request, snapshot, retry_after, read_only),
            content_type="text/html; charset=utf-8",
            status=conf.status_code(),
        )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    _add_never_cache_headers(response)
    if negotiated:
        response.headers["Vary"] = "Accept"
    # Django logs every 5xx at ERROR; a planned maintenance page is not an error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
