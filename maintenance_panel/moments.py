"""Moments as people read them: the date and time in the active language, with the zone.

A time without its zone means nothing to a visitor in another one, so every time the
app shows (maintenance page, banner, panel, history, bypass links, messages) goes
through here. Pure helpers: Django's formatting and time zone utilities only.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def local(moment: datetime) -> datetime:
    """``moment`` in the current time zone, aware. A naive moment (``USE_TZ = False``)
    is a wall-clock time of the current zone: it gets that zone, so it can be named."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return timezone.localtime(moment)


def zone_name(moment: datetime) -> str:
    """The name of ``moment``'s zone as people write it: "UTC", "CET", "EST".

    Zones without a common abbreviation give only an offset (``+03``); written bare
    after a time that reads as arithmetic, so it becomes "UTC+03".
    """
    name = local(moment).tzname() or ""
    if name[:1] in {"+", "-"}:
        return f"UTC{name}"
    return name


def as_text(moment: datetime, format_name: str = "DATETIME_FORMAT") -> str:
    """``moment`` as text in the active language, with its zone named.

    The zone also ends the text, so a sentence that puts a period after it never
    doubles the one that English formats leave after "p.m.".
    """
    text = date_format(local(moment), format_name)
    zone = zone_name(moment)
    return f"{text} {zone}" if zone else text


def as_html(moment: datetime, format_name: str = "DATETIME_FORMAT") -> SafeString:
    """``moment`` as a ``<time>`` element: the text of :func:`as_text`, and the exact
    moment (ISO 8601 with its offset) in ``datetime`` for browsers and tools."""
    return format_html(
        '<time datetime="{}">{}</time>',
        local(moment).isoformat(timespec="seconds"),
        as_text(moment, format_name),
    )


def _clock(moment: datetime, zone: bool) -> str:
    text = date_format(moment, "H:i")
    return f"{text} {zone_name(moment)}" if zone else text


def announcement(starts_at: datetime, ends_at: datetime | None) -> str:
    """A window announced ahead, in the active language, with the zone: "Maintenance
    on Sunday 7 December from 02:00 to 03:00 CET." (a window that spans midnight names
    both days; the zone is named after each time when they differ)."""
    start = local(starts_at)
    # Translators: a date format (Django's date syntax) naming the weekday, day and month.
    day_format = pgettext("announced day", "l j F")
    day = date_format(start, day_format)
    if ends_at is None:
        return _("Maintenance from %(day)s %(start)s.") % {"day": day, "start": _clock(start, True)}
    end = local(ends_at)
    both_zones = zone_name(start) != zone_name(end)
    texts = {"day": day, "start": _clock(start, both_zones), "end": _clock(end, True)}
    if start.date() == end.date():
        return _("Maintenance on %(day)s from %(start)s to %(end)s.") % texts
    return _("Maintenance from %(day)s %(start)s to %(end_day)s %(end)s.") % {
        **texts,
        "end_day": date_format(end, day_format),
    }
