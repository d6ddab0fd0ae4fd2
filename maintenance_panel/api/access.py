"""Who may use the automation API: the bearer token, its scope, and the limit on
refused attempts per client address.

Every refused token is logged (logger ``maintenance_panel``, level WARNING) with why
and its public part (``mcp_<key id>``) at most, never the secret. After
:data:`FAILURE_LIMIT` refused attempts from one address within :data:`FAILURE_WINDOW`
seconds, that address gets a 429 until the window ends: the count lives in the shared
cache (``MAINTENANCE_MODE_CACHE``), so every process of the site counts together. A
cache that cannot answer lets the attempt through rather than lock every pipeline out.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import time
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from maintenance_panel import cache_calls, decision, tokens, versions

logger = logging.getLogger("maintenance_panel")

#: Refused attempts from one address within :data:`FAILURE_WINDOW` before a 429.
FAILURE_LIMIT = 10
#: The window of the count of refused attempts (seconds).
FAILURE_WINDOW = 60
_FAILURES_KEY = "maintenance_panel:api:refused:%s:%d"

#: Why a token is refused: in English in the header, translated in the body.
_DESCRIPTIONS = {
    tokens.MALFORMED: gettext_noop("The token is not an API token of this site."),
    tokens.UNKNOWN: gettext_noop("The token is unknown."),
    tokens.REVOKED: gettext_noop("The token was revoked."),
    tokens.EXPIRED: gettext_noop("The token has expired."),
    tokens.UNAVAILABLE: gettext_noop("The tokens cannot be read now."),
}


def answer(status: int, detail: str, **extra: Any) -> JsonResponse:
    """A JSON answer ``{"detail": ..., **extra}`` that no cache keeps."""
    response = JsonResponse({"detail": detail, **extra}, status=status)
    add_never_cache_headers(response)
    return response


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _window() -> tuple[int, int]:
    """(the number of the current window, the seconds left in it)."""
    now = time.time()
    number = int(now // FAILURE_WINDOW)
    return number, max(1, int((number + 1) * FAILURE_WINDOW - now + 0.999))


def _failures_key(address: str | None, window: int) -> str:
    # Only a real address goes into the key (a custom MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS
    # may return anything): the others count together.
    try:
        client = ipaddress.ip_address(address or "").compressed
    except ValueError:
        client = "unknown"
    return _FAILURES_KEY % (client, window)


def too_many_failures(request: HttpRequest) -> JsonResponse | None:
    """The 429 for an address that was refused too often in this window, or None."""
    window, left = _window()
    key = _failures_key(decision.client_ip(request), window)
    try:
        count = cache_calls.call(lambda cache: cache.get(key, 0))
    except versions.CACHE_ERRORS:
        return None  # a cache that cannot count locks no one out
    if count < FAILURE_LIMIT:
        return None
    response = answer(
        429,
        _("Too many refused tokens from this address; try again in %(seconds)d s.")
        % {"seconds": left},
    )
    response["Retry-After"] = str(left)
    return response


def _count_failure(address: str | None) -> None:
    window, _left = _window()
    key = _failures_key(address, window)

    def count(cache: Any) -> None:
        if not cache.add(key, 1, timeout=FAILURE_WINDOW + 1):
            cache.incr(key)

    # Expired between add and incr, or no cache: one attempt goes uncounted.
    with contextlib.suppress(*versions.CACHE_ERRORS):
        cache_calls.call(count)


def refuse(request: HttpRequest, check: tokens.Check) -> JsonResponse:
    """The 401 for a missing or refused token (counted and logged when one was given)."""
    challenge = 'Bearer realm="maintenance_panel"'
    if check.refusal == tokens.MISSING:
        response = answer(401, _("Send an API token: the header Authorization: Bearer <token>."))
        response["WWW-Authenticate"] = challenge
        return response
    address = decision.client_ip(request)
    description = _DESCRIPTIONS[check.refusal]
    logger.warning(
        "API token refused (%s): %s from %s",
        check.refusal,
        check.public_id or "a token without a key id",
        address or "an unknown address",
    )
    _count_failure(address)
    response = answer(401, _("The token is refused: %(why)s") % {"why": _(description)})
    response["WWW-Authenticate"] = (
        f'{challenge}, error="invalid_token", error_description="{description}"'
    )
    return response


def lacks_scope(token: Any, scope: str) -> JsonResponse:
    """The 403 for a token without ``scope``."""
    logger.warning("API token %s (%s) lacks scope %s", token.public_id, token.name, scope)
    response = answer(
        403,
        _("The token “%(name)s” does not have the scope “%(scope)s”.")
        % {"name": token.name, "scope": scope},
    )
    response["WWW-Authenticate"] = (
        f'Bearer realm="maintenance_panel", error="insufficient_scope", scope="{scope}"'
    )
    return response
