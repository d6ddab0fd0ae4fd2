"""The maintenance response: redirect, HTML page or JSON, with the right headers.

The HTML (and JSON) body is made once per snapshot (its stamp names the stored data it
holds), language, template and ``Retry-After`` and then reused, so a held-back request
costs less than the page it replaces. A body shared by every visitor must not carry
one visitor's data (their user, a CSRF token), so it is rendered without the request:
context processors do not run. A project's ``MAINTENANCE_MODE_GET_CONTEXT`` may depend
on the request, so with it set every page is rendered anew, with the request.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from maintenance_panel import conf
from maintenance_panel.decision import redirect_path
from maintenance_panel.pages import page_context, render_page
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.status import retry_after_seconds

_bodies: dict[tuple[Any, ...], bytes] = {}
_MAX_BODIES = 64
#: ``Accept`` header -> "html" | "json": parsing the header costs more than the rest.
_negotiated: dict[str, str] = {}
_MAX_NEGOTIATED = 256


def forget_bodies() -> None:
    """Forget the rendered bodies (tests; and when a setting that shapes them changes)."""
    _bodies.clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    # Templates, language or the page's settings may render differently now.
    if setting.startswith(conf.PREFIX) or setting in {"TEMPLATES", "LANGUAGE_CODE"}:
        forget_bodies()


#: Seconds after the end of a window at which the page reloads itself.
RELOAD_MARGIN = 2


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
        "ends_at": context["ends_at"].isoformat() if context["ends_at"] else None,
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
    # The end is part of the key: each occurrence of a repeated window has its own.
    end = snapshot.end_of_maintenance()
    key = ("json", snapshot.stamp, translation.get_language(), retry_after, end, read_only)
    body = _bodies.get(key)
    if body is None:
        payload = json_payload(snapshot, retry_after, read_only=read_only)
        body = _remember(key, json.dumps(payload).encode())
    return body


def _render_html(
    request: HttpRequest, snapshot: Snapshot, retry_after: int | None, read_only: bool
) -> bytes:
    if conf.get_context_function() is not None:
        return render_page(request, snapshot, retry_after, read_only=read_only).encode()
    # With an end set, Retry-After counts down; the page may say it in minutes. The end
    # is part of the key: each occurrence of a repeated window has its own.
    end = snapshot.end_of_maintenance()
    bucket = retry_after if end is None else (retry_after or 0) // 60
    key = (
        "html",
        snapshot.stamp,
        translation.get_language(),
        conf.template_name(),
        bucket,
        end,
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
        if kind == "html" and snapshot.end_of_maintenance() is not None:
            # Browsers reload the page once the window has ended (a little after, so
            # that the site is back rather than the page again).
            response.headers["Refresh"] = str(retry_after + RELOAD_MARGIN)
    _add_never_cache_headers(response)
    if negotiated:
        response.headers["Vary"] = "Accept"
    # Django logs every 5xx at ERROR; a planned maintenance page is not an error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
