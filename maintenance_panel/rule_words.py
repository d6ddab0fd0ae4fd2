"""A rule in plain words, in the active language: "every Sunday at 02:00 for 1 hour".

:func:`reading` puts the common shapes into words (daily, weekly with days, monthly by
day of the month or by the first/last weekday, yearly on a date, hourly), with the
months a rule keeps to, its times and its end. A rule it cannot put into words is read
as how often it repeats and the rule itself ("every month, by the rule
FREQ=MONTHLY;BYDAY=2MO,3TU"), which is still true. Pure helpers: Django's translation
and formatting only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maintenance_panel.recurrence_parts import Rule

#: Most times a day a reading lists; a rule with more is read by its text.
MAX_TIMES = 6


class _Unreadable(Exception):
    """The rule has a shape :func:`reading` does not put into words."""


def _and(items: list[str]) -> str:
    return str(get_text_list(items, _("and")))


def _every(rule: Rule) -> str:
    """How often the rule's period comes round: "every week", "every 2 months"."""
    n = rule.interval
    phrases = {
        "YEARLY": ngettext("every year", "every %(count)s years", n),
        "MONTHLY": ngettext("every month", "every %(count)s months", n),
        "WEEKLY": ngettext("every week", "every %(count)s weeks", n),
        "DAILY": ngettext("every day", "every %(count)s days", n),
        "HOURLY": ngettext("every hour", "every %(count)s hours", n),
    }
    return phrases[rule.freq] % {"count": n}


def _weekdays(rule: Rule) -> str:
    if any(ordinal for ordinal, _day in rule.days):
        raise _Unreadable
    return _and([str(WEEKDAYS[day]) for _ordinal, day in rule.days] or [str(WEEKDAYS[0])])


def _weekly(rule: Rule) -> str:
    if rule.interval == 1:
        return _("every %(days)s") % {"days": _weekdays(rule)}
    return ngettext(
        "every week on %(days)s", "every %(count)s weeks on %(days)s", rule.interval
    ) % {"count": rule.interval, "days": _weekdays(rule)}


def _nth_weekday(rule: Rule) -> str:
    (ordinal, day), *others = rule.days
    phrases = {
        1: _("on the first %(day)s of every month"),
        2: _("on the second %(day)s of every month"),
        3: _("on the third %(day)s of every month"),
        4: _("on the fourth %(day)s of every month"),
        -1: _("on the last %(day)s of every month"),
    }
    if others or rule.interval != 1 or rule.get("BYMONTHDAY") or ordinal not in phrases:
        raise _Unreadable
    return phrases[ordinal] % {"day": WEEKDAYS[day]}


def _monthly(rule: Rule) -> str:
    if rule.days:
        return _nth_weekday(rule)
    month_days = rule.get("BYMONTHDAY") or (1,)
    if month_days == (-1,) and rule.interval == 1:
        return _("on the last day of every month")
    if any(day < 0 for day in month_days):
        raise _Unreadable
    return ngettext(
        "on day %(days)s of every month", "on day %(days)s of every %(count)s months", rule.interval
    ) % {"days": _and([str(day) for day in month_days]), "count": rule.interval}


def _yearly(rule: Rule) -> str:
    months, month_days = rule.get("BYMONTH") or (1,), rule.get("BYMONTHDAY") or (1,)
    if rule.days or len(months) != 1 or len(month_days) != 1 or month_days[0] < 0:
        raise _Unreadable
    # 2000 is a leap year: 29 February can be named.
    on = date_format(date(2000, months[0], month_days[0]), "MONTH_DAY_FORMAT")
    return (_("every year on %(date)s") if rule.interval == 1 else _("%(every)s on %(date)s")) % {
        "date": on,
        "every": _every(rule),
    }


def _hourly(rule: Rule) -> str:
    minutes = rule.get("BYMINUTE") or (0,)
    if rule.days or rule.get("BYHOUR") or rule.get("BYMONTHDAY"):
        raise _Unreadable
    if minutes == (0,):
        return _("%(every)s, on the hour") % {"every": _every(rule)}
    return _("%(every)s, at %(minutes)s minutes past") % {
        "every": _every(rule),
        "minutes": _and([str(minute) for minute in minutes]),
    }


def _daily(rule: Rule) -> str:
    if not rule.days:
        return _every(rule)
    if rule.interval != 1:
        raise _Unreadable
    return _("every %(days)s") % {"days": _weekdays(rule)}


def _times(rule: Rule) -> str:
    hours, minutes = rule.get("BYHOUR") or (0,), rule.get("BYMINUTE") or (0,)
    if len(hours) * len(minutes) > MAX_TIMES:
        raise _Unreadable
    times = sorted(f"{hour:02d}:{minute:02d}" for hour in hours for minute in minutes)
    return _("at %(times)s") % {"times": _and(times)}


def _until(rule: Rule) -> str:
    until = rule.until
    if isinstance(until, datetime):
        suffix = " UTC" if until.tzinfo is not None else ""
        shown = date_format(until, "DATETIME_FORMAT") + suffix
    else:
        assert until is not None
        shown = date_format(until, "DATE_FORMAT")
    return _("until %(date)s") % {"date": shown}


def duration_text(duration: timedelta) -> str:
    """A duration in words, in the active language: "1 hour, 30 minutes"."""
    start = datetime(2001, 1, 1)
    return timesince(start, start + duration, depth=3).replace("\xa0", " ")


def reading(rule: Rule, duration: timedelta | None = None) -> str:
    """The rule (and how long each window lasts) in plain words."""
    shapes = {
        "YEARLY": _yearly,
        "MONTHLY": _monthly,
        "WEEKLY": _weekly,
        "DAILY": _daily,
        "HOURLY": _hourly,
    }
    try:
        pieces = [shapes[rule.freq](rule)]
        if rule.get("BYMONTH") and rule.freq != "YEARLY":
            pieces.append(
                _("in %(months)s")
                % {"months": _and([str(MONTHS[month]) for month in rule.get("BYMONTH")])}
            )
        if rule.freq != "HOURLY":
            pieces.append(_times(rule))
    except _Unreadable:
        pieces = [_("%(every)s, by the rule %(rule)s") % {"every": _every(rule), "rule": rule.text}]
    if rule.until is not None:
        pieces.append(_until(rule))
    if duration is not None:
        pieces.append(_("for %(duration)s") % {"duration": duration_text(duration)})
    return " ".join(pieces)
