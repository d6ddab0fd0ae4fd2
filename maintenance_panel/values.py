"""Checks and conversions of the values the Python API and the test helpers take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

#: A moment as the Python API takes it: a datetime, an ISO 8601 string, or a timedelta
#: from now.
Moment = datetime | timedelta | str


class InvalidValue(ValidationError, ValueError):
    """A value the Python API refuses (a window that ends before it starts or has
    already ended, a time that cannot be read, ...).

    Both a ``ValidationError`` (with the field it concerns, as the admin reports it) and
    a ``ValueError``, so that code written for django-maintenance-mode, which catches
    ``ValueError``, keeps working.
    """


def to_moment(value: Moment | None, *, name: str) -> datetime | None:
    """An aware datetime from a datetime, an ISO 8601 string or a timedelta from now.

    A naive datetime (or a string without an offset) is read in the current time zone,
    as the admin form reads it. Raises :class:`InvalidValue` for a string that is not a
    time and for a moment out of range, ``TypeError`` for any other type.
    """
    if value is None:
        return None
    if isinstance(value, timedelta):
        try:
            return timezone.now() + value
        except OverflowError:
            raise InvalidValue(
                _("%(name)s is too far from now: %(value)s."),
                code="out_of_range",
                params={"name": name, "value": value},
            ) from None
    if isinstance(value, str):
        value = _parsed(value, name=name)
    if not isinstance(value, datetime):
        raise TypeError(
            f"{name} must be a datetime, an ISO 8601 string or a timedelta, "
            f"not {type(value).__name__}."
        )
    try:
        if settings.USE_TZ and timezone.is_naive(value):
            _refuse_a_clock_change(value, name=name)
            return timezone.make_aware(value)
        if not settings.USE_TZ and timezone.is_aware(value):
            return timezone.make_naive(value)
        if settings.USE_TZ:
            # The same moment in UTC: an offset such as +21:11, which Python allows,
            # is beyond what PostgreSQL stores (+-15:59).
            return value.astimezone(UTC)
    except OverflowError:  # a local time at the calendar's very end
        raise InvalidValue(
            _("%(name)s is out of range: %(value)s."),
            code="out_of_range",
            params={"name": name, "value": value},
        ) from None
    return value


def _parsed(text: str, *, name: str) -> datetime:
    """The datetime an ISO 8601 string names (as django-maintenance-mode reads it)."""
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:  # well formed, but no such day or hour
        parsed = None
    if parsed is None:
        raise InvalidValue(
            _("%(name)s is not a time: %(value)s; give one in ISO 8601, e.g. %(example)s."),
            code="invalid",
            params={"name": name, "value": text, "example": "2026-11-25T02:00+01:00"},
        )
    return parsed


def _refuse_a_clock_change(value: datetime, *, name: str) -> None:
    """Raise :class:`InvalidValue` for a local time that the clocks skip or pass twice in
    the current time zone (a daylight saving change), as the admin's forms refuse it:
    which moment was meant cannot be told."""
    zone = timezone.get_current_timezone()
    earlier = value.replace(fold=0, tzinfo=zone)
    later = value.replace(fold=1, tzinfo=zone)
    skipped = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value
    if skipped or earlier.utcoffset() != later.utcoffset():
        raise InvalidValue(
            _(
                "%(name)s %(value)s does not exist or exists twice in time zone %(zone)s "
                "(the clocks change then); give it with its offset, e.g. "
                "%(value)s+01:00, or pick another time."
            ),
            code="ambiguous_timezone",
            params={"name": name, "value": value.isoformat(), "zone": zone},
        )


def check_bool(value: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` is a bool (a string like "off" is truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}.")
