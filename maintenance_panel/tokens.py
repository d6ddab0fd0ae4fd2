"""API tokens: making, revoking and checking them (the model is
:class:`~maintenance_panel.models.ApiToken`).

:func:`create_token` and :func:`revoke_token` are what ``core.create_api_token`` and
``core.revoke_api_token`` do; :func:`authenticate` finds the token a request presents
and says why it is refused, and :func:`note_use` records when and from where it was
last used. A raw token appears only as :func:`create_token`'s result: it is never
stored, logged or recorded in the history.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance_panel.models import ApiToken, hash_token, history
from maintenance_panel.models.tokens import SCOPES, TOKEN_PREFIX, validate_scopes
from maintenance_panel.values import InvalidValue, Moment, to_moment

#: How often the last use of a token is written at most (one query per token and
#: minute, however busy the pipeline).
USE_NOTE_INTERVAL = timedelta(minutes=1)

# Why a token is refused (the ``error_description`` of the 401).
MISSING = "missing"
MALFORMED = "malformed"
UNKNOWN = "unknown"
REVOKED = "revoked"
EXPIRED = "expired"
UNAVAILABLE = "unavailable"


def new_raw_token() -> tuple[str, str]:
    """A fresh (key id, raw token): ``mcp_<12 hex digits>_<43 URL-safe characters>``
    (256 bits of secret)."""
    key_id = secrets.token_hex(6)
    return key_id, f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(raw: str) -> str | None:
    """The key id of a raw token, or None when it does not look like one."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    key_id, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if len(key_id) != 12 or not secret or any(c not in "0123456789abcdef" for c in key_id):
        return None
    return key_id


def _scopes(scopes: Iterable[str]) -> list[str]:
    if isinstance(scopes, str):
        scopes = [scopes]
    chosen = list(dict.fromkeys(scopes))
    return [scope for scope in SCOPES if scope in chosen] + [
        scope for scope in chosen if scope not in SCOPES
    ]


def create_token(
    name: str,
    *,
    scopes: Iterable[str] = SCOPES,
    expires_at: Moment | None = None,
    user: Any = None,
    source: str = "api",
    label: str = "",
) -> str:
    """Make token ``name`` and return it (the only time it is seen). Raises
    :class:`InvalidValue` for a name in use, an unknown scope or a past expiry."""
    expires = to_moment(expires_at, name="expires_at")
    if expires is not None and expires <= timezone.now():
        raise InvalidValue(
            {"expires_at": ValidationError(_("The expiry is in the past."), code="expired")}
        )
    chosen = _scopes(scopes)
    try:
        # Not left to full_clean(), which skips the validators of an empty list.
        validate_scopes(chosen)
    except ValidationError as exc:
        raise InvalidValue({"scopes": exc}) from exc
    key_id, raw = new_raw_token()
    token = ApiToken(
        name=name,
        key_id=key_id,
        token_hash=hash_token(raw),
        scopes=chosen,
        expires_at=expires,
        created_by=history.stored_user(user),
    )
    with transaction.atomic(), history.recording(source=source, user=user, label=label):
        try:
            token.full_clean(exclude=["key_id", "token_hash", "created_by"])
        except ValidationError as exc:
            raise InvalidValue(exc.update_error_dict({})) from exc
        token.save()
    return raw


def revoke_token(name: str, *, user: Any = None, source: str = "api", label: str = "") -> None:
    """End token ``name``; its next request gets a 401. Raises :class:`InvalidValue`
    when there is none of that name; revoking a revoked token again does nothing."""
    with transaction.atomic(), history.recording(source=source, user=user, label=label):
        token = ApiToken.objects.select_for_update().filter(name=name).first()
        if token is None:
            raise InvalidValue(
                _("There is no API token named “%(name)s”."),
                params={"name": name},
                code="unknown",
            )
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])


@dataclass(frozen=True)
class Check:
    """What :func:`authenticate` found: the token (when usable), or why it is refused,
    and the public part of what was presented (``mcp_<key id>``, safe to log)."""

    token: ApiToken | None
    refusal: str = ""
    public_id: str = ""


def authenticate(raw: str | None) -> Check:
    """The usable token ``raw`` is, or why it is refused (one indexed query)."""
    if not raw:
        return Check(None, MISSING)
    key_id = key_id_of(raw)
    if key_id is None:
        return Check(None, MALFORMED)
    public_id = f"{TOKEN_PREFIX}{key_id}"
    try:
        token = ApiToken.objects.filter(key_id=key_id).first()
    except DatabaseError:
        return Check(None, UNAVAILABLE, public_id)
    # Compared in constant time, and against a stand-in hash when there is no such key,
    # so that the time taken says nothing about the secret.
    stored = token.token_hash if token is not None else "0" * 64
    if not hmac.compare_digest(stored, hash_token(raw)) or token is None:
        return Check(None, UNKNOWN, public_id)
    if token.revoked_at is not None:
        return Check(None, REVOKED, public_id)
    if not token.is_usable:
        return Check(None, EXPIRED, public_id)
    return Check(token, public_id=public_id)


def note_use(token: ApiToken, address: str | None, now: datetime | None = None) -> None:
    """Record that ``token`` was used now from ``address``: at most once a minute per
    token (or when the address changes), and never as a change in the history."""
    now = now or timezone.now()
    address = _valid_address(address)
    recent = token.last_used_at is not None and now - token.last_used_at < USE_NOTE_INTERVAL
    if recent and token.last_used_from == address:
        return
    try:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
    except DatabaseError:
        return  # a note of use is not worth failing the request for
    token.last_used_at, token.last_used_from = now, address


def _valid_address(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
