"""Views reachable during maintenance: the bypass endpoint and the JSON status."""

from __future__ import annotations

import hmac

from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_safe

from maintenance_panel import conf, decision, health, responses, state, status
from maintenance_panel.models import BypassLink, hash_token


def _find_link(token: str) -> BypassLink | None:
    wanted = hash_token(token)
    found = None
    # Compare against every usable link in constant time rather than looking the hash
    # up, so the time taken says nothing about how close a guess was.
    try:
        links = list(BypassLink.objects.usable().only("pk", "token_hash", "expires_at"))
    except DatabaseError as exc:
        # The database is the thing under maintenance: answer as for a wrong token.
        health.report_unavailable("database", exc)
        return None
    for link in links:
        if hmac.compare_digest(link.token_hash, wanted):
            found = link
    return found


def _safe_next(request: HttpRequest) -> str:
    """The local path in ``?next=``, or ``/``: never another site."""
    target = request.GET.get("next") or "/"
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return "/"


@require_GET
def bypass(request: HttpRequest, token: str) -> HttpResponse:
    """Open a bypass link: set the cookie that exempts this browser, then redirect.

    A wrong, expired or revoked token gets the maintenance page while maintenance is
    on (and a plain redirect, without cookie, while the site is up anyway).
    """
    link = _find_link(token)
    if link is None:
        snapshot = state.get_snapshot()
        if snapshot.active():
            return responses.maintenance_response(request, snapshot)
        response = HttpResponseRedirect(_safe_next(request))
        add_never_cache_headers(response)
        return response
    response = HttpResponseRedirect(_safe_next(request))
    max_age = None
    if link.expires_at is not None:
        max_age = max(1, int((link.expires_at - timezone.now()).total_seconds()))
    response.set_cookie(
        conf.bypass_cookie_name(),
        signing.dumps(link.pk, salt=decision.BYPASS_SALT),
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    add_never_cache_headers(response)
    return response


@require_safe
def status_endpoint(request: HttpRequest) -> JsonResponse:
    """The state for status pages and probes (GET or HEAD, no login, never cached).

    ``enabled`` (the switch, or the ``MAINTENANCE_MODE`` setting), ``active`` (whether
    visitors get the maintenance page now), ``forced_by_settings``, ``window``
    (``starts_at``, ``ends_at``, ``phase``: none, scheduled, open or ended, of the
    window that matters now), ``next_window``, ``recurrence`` (the repeated window's
    rule, its reading, duration and zone), ``upcoming`` (the window announced now, with
    its sentence) and ``retry_after`` (seconds, while active).
    """
    payload = status.as_json(status.describe(state.get_snapshot()))
    window = payload["window"]
    for name in ("starts_at", "ends_at"):
        window[name] = window[name].isoformat() if window[name] else None
    response = JsonResponse(payload)
    add_never_cache_headers(response)
    return response
