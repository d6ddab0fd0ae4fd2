"""Reading the text of a rule (``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``) into its parts.

:func:`parse` accepts the parts of RFC 5545's ``RRULE`` that a maintenance window can
use and refuses the others with :class:`RuleError`, whose text names the part and what
is wrong with it, for an operator to read:

- ``FREQ`` is required: ``YEARLY``, ``MONTHLY``, ``WEEKLY``, ``DAILY`` or ``HOURLY``
  (``MINUTELY`` and ``SECONDLY`` repeat too often for maintenance);
- ``INTERVAL`` (1 to 1000), ``BYMONTH``, ``BYMONTHDAY``, ``BYDAY`` (a number before the
  day, ``1SU`` or ``-1FR``, with ``MONTHLY`` or ``YEARLY`` only), ``BYHOUR``,
  ``BYMINUTE``, ``WKST`` and ``UNTIL`` (a date, a local time, or a UTC time ending in
  ``Z``) are accepted;
- ``DTSTART`` and ``COUNT`` are refused: the rule has no start date of its own (see
  :mod:`maintenance_panel.recurrence`), so a count has nothing to count from;
- ``BYSETPOS``, ``BYWEEKNO``, ``BYYEARDAY`` and ``BYSECOND`` are refused: windows do
  not need them, and without them whether a rule ever happens is quick to check;
- a rule no day can satisfy (``BYMONTH=2;BYMONTHDAY=30``) is refused.

A leading ``RRULE:`` is dropped and the text is upper-cased; :attr:`Rule.text` is the
rule as stored. Pure helpers: dateutil and Django's translation only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil import rrule as dateutil_rrule
from django.utils.translation import gettext as _

#: The day the parts a rule leaves out are taken from (a Monday, the 1st of January).
ANCHOR = datetime(2001, 1, 1)

FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
TOO_FREQUENT = ("MINUTELY", "SECONDLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: The number parts: (lowest, highest, negatives allowed).
RANGES = {
    "INTERVAL": (1, 1000, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
}
ACCEPTED = ("FREQ", *RANGES, "BYDAY", "WKST", "UNTIL")
WITHOUT_START = ("DTSTART", "COUNT")
NOT_SUPPORTED = ("BYSETPOS", "BYWEEKNO", "BYYEARDAY", "BYSECOND")
_DAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")
#: Long enough for every combination of weekday and leap year.
_CHECKED_DAYS = 28 * 366


class RuleError(ValueError):
    """A rule that cannot be used; ``str()`` says why, translated."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule's parts, as :func:`parse` read them."""

    text: str
    freq: str
    interval: int = 1
    #: Number parts: name -> values, in the order written.
    numbers: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: ``BYDAY``: (ordinal or 0, day index 0 = Monday).
    days: tuple[tuple[int, int], ...] = ()
    week_start: int = 0
    #: A date, a naive local time, or an aware UTC time.
    until: date | datetime | None = None

    def get(self, name: str) -> tuple[int, ...]:
        """The values of a number part, or ``()``."""
        return dict(self.numbers).get(name, ())

    def dateutil_arguments(self) -> dict[str, Any]:
        """The keyword arguments of dateutil's ``rrule`` (all but the start and end)."""
        arguments: dict[str, Any] = {
            "freq": getattr(dateutil_rrule, self.freq),
            "interval": self.interval,
            "wkst": self.week_start,
        }
        names = {"BYMONTH": "bymonth", "BYMONTHDAY": "bymonthday"}
        names |= {"BYHOUR": "byhour", "BYMINUTE": "byminute"}
        for name, values in self.numbers:
            if name in names:
                arguments[names[name]] = values
        if self.days:
            arguments["byweekday"] = [
                dateutil_rrule.weekday(day, ordinal or None) for ordinal, day in self.days
            ]
        return arguments


def _parts(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in filter(None, text.split(";")):
        name, equals, value = piece.partition("=")
        if not equals or not name:
            raise RuleError(
                _(
                    "Write the rule as NAME=VALUE parts separated by semicolons, e.g. "
                    "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2 (%(part)s is not one)."
                )
                % {"part": piece}
            )
        if name in parts:
            raise RuleError(_("%(name)s is given twice.") % {"name": name})
        if not value:
            raise RuleError(_("%(name)s has no value.") % {"name": name})
        parts[name] = value
    return parts


def _refuse_names(parts: dict[str, str]) -> None:
    for name in parts:
        if name in WITHOUT_START:
            raise RuleError(
                _(
                    "%(name)s cannot be used: the rule has no start date of its own. Give "
                    "the time with BYHOUR and BYMINUTE, and end the series with UNTIL."
                )
                % {"name": name}
            )
        if name in NOT_SUPPORTED or name not in ACCEPTED:
            raise RuleError(
                _("%(name)s is not supported here; use %(known)s.")
                % {"name": name, "known": ", ".join(ACCEPTED)}
            )


def _frequency(parts: dict[str, str]) -> str:
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError(_("FREQ is missing: say how often the window repeats, e.g. FREQ=WEEKLY."))
    if freq in TOO_FREQUENT:
        raise RuleError(
            _("FREQ=%(value)s repeats too often for maintenance: the most frequent is HOURLY.")
            % {"value": freq}
        )
    if freq not in FREQUENCIES:
        raise RuleError(
            _("FREQ=%(value)s is not a frequency: use YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY.")
            % {"value": freq}
        )
    return freq


def _numbers(name: str, value: str) -> tuple[int, ...]:
    low, high, negatives = RANGES[name]
    numbers = []
    for item in value.split(","):
        if not re.fullmatch(r"[+-]?\d{1,4}", item):
            raise RuleError(
                _("%(name)s=%(value)s: %(item)s is not a whole number.")
                % {"name": name, "value": value, "item": item or "''"}
            )
        number = int(item)
        if not (low <= abs(number) <= high and (negatives or number >= 0)):
            raise RuleError(
                _("%(name)s=%(value)s: %(item)s is out of range (%(low)s to %(high)s).")
                % {"name": name, "value": value, "item": item, "low": low, "high": high}
            )
        numbers.append(number)
    return tuple(numbers)


def _day_error(name: str, value: str, item: str) -> RuleError:
    return RuleError(
        _(
            "%(name)s=%(value)s: %(item)s is not a day. Write MO, TU, WE, TH, FR, SA or SU, "
            "with a number before it for the nth day of the month, e.g. 1SU or -1FR."
        )
        % {"name": name, "value": value, "item": item or "''"}
    )


def _days(value: str, freq: str) -> tuple[tuple[int, int], ...]:
    days = []
    for item in value.split(","):
        match = _DAY.match(item)
        if match is None or (match.group(1) and not 1 <= abs(int(match.group(1))) <= 53):
            raise _day_error("BYDAY", value, item)
        ordinal = int(match.group(1) or 0)
        if ordinal and freq not in {"MONTHLY", "YEARLY"}:
            raise RuleError(
                _(
                    "BYDAY=%(value)s: a number before a day (%(item)s) only works with "
                    "FREQ=MONTHLY or FREQ=YEARLY."
                )
                % {"value": value, "item": item}
            )
        days.append((ordinal, DAYS.index(match.group(2))))
    return tuple(days)


def _until(value: str) -> date | datetime:
    match = _UNTIL.match(value)
    try:
        if match is None:
            raise ValueError(value)
        if match.group(2) is None:
            return datetime.strptime(match.group(1), "%Y%m%d").date()
        moment = datetime.strptime(match.group(1) + match.group(3), "%Y%m%d%H%M%S")
        return moment.replace(tzinfo=UTC) if match.group(4) else moment
    except ValueError:
        raise RuleError(
            _(
                "UNTIL=%(value)s is not a date: write 20270301, 20270301T020000 or "
                "20270301T020000Z (UTC)."
            )
            % {"value": value}
        ) from None


def _normalized(text: str) -> str:
    text = "".join(text.split()).upper()
    return text.removeprefix("RRULE:")


def parse(text: str) -> Rule:
    """The rule written in ``text``; :class:`RuleError` when it cannot be used."""
    normalized = _normalized(text)
    if "DTSTART" in normalized:
        _refuse_names({"DTSTART": ""})
    parts = _parts(normalized)
    _refuse_names(parts)
    freq = _frequency(parts)
    numbers = tuple((name, _numbers(name, parts[name])) for name in RANGES if name in parts)
    week_start = parts.get("WKST", "MO")
    if week_start not in DAYS:
        raise _day_error("WKST", week_start, week_start)
    rule = Rule(
        text=normalized,
        freq=freq,
        interval=dict(numbers).get("INTERVAL", (1,))[0],
        numbers=tuple(item for item in numbers if item[0] != "INTERVAL"),
        days=_days(parts["BYDAY"], freq) if "BYDAY" in parts else (),
        week_start=DAYS.index(week_start),
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
    )
    if not _some_day_matches(rule):
        raise RuleError(_("This rule never happens: no day matches all of its parts."))
    return rule


def _ordinals(day: date, first: date, last: date) -> tuple[int, int]:
    """Which same weekday of the span ``first``..``last`` ``day`` is, counted from
    either end (1 and -1 for the only one)."""
    return (day - first).days // 7 + 1, -((last - day).days // 7 + 1)


def _day_matches(rule: Rule, day: date) -> bool:
    months, month_days = rule.get("BYMONTH"), rule.get("BYMONTHDAY")
    if months and day.month not in months:
        return False
    month_start = day.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if month_days and not {day.day, day.day - month_end.day - 1} & set(month_days):
        return False
    if not rule.days:
        return True
    if rule.freq == "YEARLY" and not months:
        span = (day.replace(month=1, day=1), day.replace(month=12, day=31))
    else:
        span = (month_start, month_end)
    ordinals = {0, *_ordinals(day, *span)}
    return any(weekday == day.weekday() and n in ordinals for n, weekday in rule.days)


def _some_day_matches(rule: Rule) -> bool:
    """Whether some day satisfies every day part of the rule (checked over 28 years:
    every combination of weekday and leap year)."""
    if not rule.get("BYMONTHDAY") and not any(ordinal for ordinal, _day in rule.days):
        return True  # some weekday of some month always is
    first = ANCHOR.date()
    return any(_day_matches(rule, first + timedelta(days=n)) for n in range(_CHECKED_DAYS))
