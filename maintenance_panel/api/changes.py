"""Reading a change from the body of a ``POST`` to the automation API.

:func:`read_change` checks every key's type and reads the times, and returns the
change or every error, per key, at once (each message in the active language). What the
values mean together (a window that ends before it starts, a pattern RE2 refuses, a
title too long) is checked where the admin and the command have it checked: in
``core.set_maintenance_mode``, whose errors :func:`errors_per_key` names by the same keys.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maintenance_panel.values import InvalidValue, to_moment

#: The longest ``wait`` (seconds): a request that waits holds a worker.
MAX_WAIT = 300
#: The keys a change may have, each optional.
KEYS = ("enabled", "read_only", "scope", "title", "message", "starts_at", "ends_at", "wait")
#: The model's field names for the keys that differ (its errors are named by them).
_FIELD_KEYS = {"scope_urls": "scope", "start": "starts_at", "end": "ends_at"}


@dataclass
class Change:
    """A change as the body asks for it: only the keys given (``wait`` apart)."""

    values: dict[str, Any] = field(default_factory=dict)
    #: Seconds to wait for the fleet to apply the change (0: answer at once).
    wait: float = 0.0


class BadChange(Exception):
    """The body cannot be read as a change: the errors per key."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _bool(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, _("Must be true or false.")


def _text(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        return value, None
    return None, _("Must be a string.")


def _scope(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        if any("\n" in item or "\r" in item for item in value):
            return None, _("Each pattern must be on one line.")
        return [item.strip() for item in value if item.strip()], None
    return None, _("Must be a list of regular expressions (strings); [] for the whole site.")


def _time(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, _("Must be an ISO 8601 time (a string), or null for none.")
    try:
        return to_moment(value, name="time"), None
    except InvalidValue as exc:
        return None, " ".join(exc.messages)


def _wait(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return 0.0, None
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_WAIT:
        return None, _("Must be a number of seconds from 0 to %(max)d.") % {"max": MAX_WAIT}
    return float(number), None


_READERS = {
    "enabled": _bool,
    "read_only": _bool,
    "scope": _scope,
    "title": _text,
    "message": _text,
    "starts_at": _time,
    "ends_at": _time,
    "wait": _wait,
}


def read_change(body: bytes) -> Change:
    """The change ``body`` (JSON) asks for; raises :class:`BadChange`."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadChange({"body": [_("The body is not JSON.")]}) from None
    if not isinstance(data, dict):
        raise BadChange({"body": [_("The body must be a JSON object.")]})
    errors: dict[str, list[str]] = {}
    change = Change()
    for key, value in data.items():
        reader = _READERS.get(key)
        if reader is None:
            errors[key] = [_("Unknown key; the keys are %(keys)s.") % {"keys": ", ".join(KEYS)}]
            continue
        converted, error = reader(value)
        if error is not None:
            errors[key] = [error]
        elif key == "wait":
            change.wait = converted
        else:
            change.values[key] = converted
    if errors:
        raise BadChange(errors)
    return change


def errors_per_key(error: ValidationError) -> dict[str, list[str]]:
    """A ``ValidationError`` from the write path as the API's errors per key."""
    if not hasattr(error, "error_dict"):
        return {"body": list(error.messages)}
    errors: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        key = _FIELD_KEYS.get(name, name if name in KEYS else "body")
        errors.setdefault(key, []).extend(messages)
    return errors
