"""Times on the command line: ISO 8601, or a time from now such as ``+30m``; durations
such as ``1h30m``; repeat rules."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from maintenance_panel import recurrence
from maintenance_panel.values import to_moment
from maintenance_panel.windows import representable

TIME_EXAMPLES = (
    "an ISO 8601 time such as 2026-11-25T02:00 (read in the current time zone) or "
    "2026-11-25T02:00+01:00, or a time from now such as +30m, +2h, +1d or +1h30m"
)
_RELATIVE = re.compile(
    r"^\+(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$"
)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def moment(text: str) -> datetime:
    """argparse type: an ISO 8601 time (naive = current time zone) or ``+30m``-style."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative and any(relative.groupdict().values()):
        try:
            amounts = {_UNITS[unit]: int(n) for unit, n in relative.groupdict().items() if n}
            value = timezone.now() + timedelta(**amounts)
        except (OverflowError, ValueError):  # ValueError: more digits than int() takes
            raise argparse.ArgumentTypeError(f"{text!r} is too far away") from None
    else:
        try:
            value = to_moment(datetime.fromisoformat(text), name="time")  # type: ignore[assignment]
        except ValidationError as exc:  # a local time the clocks skip or pass twice
            raise argparse.ArgumentTypeError(" ".join(exc.messages)) from None
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a time; type {TIME_EXAMPLES}"
            ) from None
    if not representable(value):
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range; type a time between the years 1 and 9999"
        )
    return value


def text(value: str) -> str:
    """argparse type: text as typed, refused when it is not valid UTF-8 (Python gives
    the bytes it cannot decode as lone surrogates, which no database can store)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not valid UTF-8 text; check the terminal's or the script's encoding"
        ) from None
    return value


def seconds(text: str) -> float:
    """argparse type: a positive number of seconds, e.g. 30 or 2.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, e.g. 30") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


DURATION_EXAMPLES = "a duration such as 1h, 90m, 1h30m or 2d"
_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


def duration(text: str) -> timedelta:
    """argparse type: a duration such as ``1h``, ``90m`` or ``1h30m``."""
    match = _DURATION.match(text.strip())
    if match is None or not any(match.groupdict().values()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; type {DURATION_EXAMPLES}")
    try:
        return timedelta(**{_UNITS[unit]: int(n) for unit, n in match.groupdict().items() if n})
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} is too long") from None


def rule(text: str) -> str:
    """argparse type: a repeat rule (RFC 5545 RRULE), as it will be stored."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "give a rule such as 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2', or --no-repeat to stop repeating"
        )
    try:
        return recurrence.parse(text).text
    except recurrence.RuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
