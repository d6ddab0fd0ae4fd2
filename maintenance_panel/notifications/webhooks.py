"""Webhooks: the ``MAINTENANCE_MODE_WEBHOOKS`` setting, the body each format sends, its
signature, and the POST itself.

The setting is a list of dicts: ``url`` (http or https), ``secret`` (text: the body is
signed with it, header ``X-Maintenance-Signature: sha256=<hex HMAC-SHA256>``) and
``format``: ``"json"`` (the default: the event document itself), ``"slack"`` or
``"teams"`` (a message those services' incoming webhooks accept). A webhook is known
to a delivery by its *endpoint*, an HMAC of its full URL with ``SECRET_KEY``: the URL
may hold a token, which is never stored; the delivery shows :func:`public_url`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils import translation

from maintenance_panel import __version__, conf
from maintenance_panel.notifications import text

#: The formats a webhook may ask for.
FORMATS = ("json", "slack", "teams")
#: The keys a webhook entry may have.
KEYS = frozenset({"url", "secret", "format"})
#: Seconds to wait for a receiver to connect and answer: a slow one is retried later.
TIMEOUT = 5.0
SIGNATURE_HEADER = "X-Maintenance-Signature"


@dataclass(frozen=True)
class Webhook:
    """One entry of ``MAINTENANCE_MODE_WEBHOOKS``."""

    url: str
    secret: str = ""
    format: str = "json"

    def endpoint(self) -> str:
        """Names this webhook in a delivery without storing its URL (which may hold a
        token)."""
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, self.url.encode(), hashlib.sha256).hexdigest()[:32]

    def target(self) -> str:
        """What a delivery shows of this webhook: its URL without credentials or query."""
        return public_url(self.url)


def public_url(url: str) -> str:
    """``url`` without user, password, query or fragment (where tokens travel)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def entry_problems(entry: Any) -> list[str]:
    """What is wrong with one entry of the setting (empty when it is usable)."""
    if not isinstance(entry, dict):
        return [f"is a {type(entry).__name__}, not a dict"]
    problems = [f"has unknown key {key!r}" for key in sorted(set(entry) - KEYS, key=str)]
    problems += _url_problems(entry.get("url"))
    if not isinstance(entry.get("secret", ""), str):
        problems.append("has a 'secret' that is not text")
    if entry.get("format", "json") not in FORMATS:
        problems.append(f"has 'format' {entry.get('format')!r}, not one of {', '.join(FORMATS)}")
    return problems


def _url_problems(url: Any) -> list[str]:
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        return ["needs a 'url' starting with http:// or https://"]
    try:
        shown = public_url(url)
    except ValueError as error:  # a port that is not a number, or out of range
        return [f"has a 'url' that cannot be read: {error}"]
    if not urlsplit(url).hostname:
        return [f"has a 'url' with no host: {shown!r}"]
    if any(ord(character) < 33 for character in url):
        return [f"has a 'url' with spaces or control characters: {shown!r}"]
    return []


def setting_problems() -> list[str]:
    """What is wrong with ``MAINTENANCE_MODE_WEBHOOKS``, each naming its entry."""
    value = conf.webhooks()
    if not isinstance(value, list | tuple):
        return [f"is a {type(value).__name__}, not a list of dicts"]
    return [
        f"entry {index} {problem}"
        for index, entry in enumerate(value)
        for problem in entry_problems(entry)
    ]


def configured() -> list[Webhook]:
    """The usable webhooks of the setting (entries with problems are left out: the
    system check reports them)."""
    value = conf.webhooks()
    if not isinstance(value, list | tuple):
        return []
    return [
        Webhook(
            url=entry["url"], secret=entry.get("secret", ""), format=entry.get("format", "json")
        )
        for entry in value
        if not entry_problems(entry)
    ]


def by_endpoint(endpoint: str) -> Webhook | None:
    """The configured webhook a delivery names, or None (removed from the setting)."""
    return next((hook for hook in configured() if hook.endpoint() == endpoint), None)


def body(webhook: Webhook, payload: dict[str, Any]) -> bytes:
    """What ``webhook`` receives for ``payload``, in its format (Slack's and Teams' text
    in ``LANGUAGE_CODE``)."""
    with translation.override(settings.LANGUAGE_CODE):
        document = _document(webhook.format, payload)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _document(format: str, payload: dict[str, Any]) -> Any:
    if format == "slack":
        return {"text": f"*{text.subject(payload)}*\n{text.body(payload)}"}
    if format == "teams":
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "type": "AdaptiveCard",
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": text.subject(payload),
                                "weight": "Bolder",
                                "wrap": True,
                            },
                            {"type": "TextBlock", "text": text.body(payload), "wrap": True},
                        ],
                    },
                }
            ],
        }
    return payload


def signature(secret: str, content: bytes) -> str:
    """The ``X-Maintenance-Signature`` value of ``content``."""
    return "sha256=" + hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body: report it instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(webhook: Webhook, payload: dict[str, Any]) -> str:
    """POST ``payload`` to ``webhook``; "" when it answered 2xx, else what went wrong,
    naming the host and never the URL's credentials or query ("502 from
    hooks.example.com")."""
    content = body(webhook, payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"django-maintenance-control-panel/{__version__}",
        "X-Maintenance-Event": str(payload.get("event", "")),
    }
    if webhook.secret:
        headers[SIGNATURE_HEADER] = signature(webhook.secret, content)
    request = urllib.request.Request(webhook.url, data=content, headers=headers, method="POST")
    host = urlsplit(webhook.url).hostname or ""
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        error.close()
        return f"{error.code} from {host}"
    except TimeoutError:
        return f"no answer from {host} within {TIMEOUT:g} s"
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return f"no answer from {host} within {TIMEOUT:g} s"
        return f"cannot reach {host}: {getattr(reason, 'strerror', None) or reason}"
    except OSError as error:
        return f"cannot reach {host}: {error.strerror or error}"
    return ""
