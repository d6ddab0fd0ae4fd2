"""Times as visitors and operators read them: with the zone, and a machine-readable copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation

from maintenance_panel import moments

END = datetime(2026, 12, 2, 18, 1, tzinfo=UTC)


def test_text_names_the_zone_and_ends_without_a_period():
    text = moments.as_text(END)
    assert text == "Dec. 2, 2026, 6:01 p.m. UTC"
    assert f"We expect to be back by {text}." == (
        "We expect to be back by Dec. 2, 2026, 6:01 p.m. UTC."
    )


@override_settings(TIME_ZONE="Europe/Berlin")
def test_text_is_in_the_sites_zone():
    with timezone.override("Europe/Berlin"):
        assert moments.as_text(END) == "Dec. 2, 2026, 7:01 p.m. CET"
        assert moments.zone_name(END + timedelta(days=200)) == "CEST"


def test_zone_without_an_abbreviation_is_an_offset_from_utc():
    with timezone.override("Europe/Istanbul"):
        assert moments.zone_name(END) == "UTC+03"
        assert moments.as_text(END).endswith("9:01 p.m. UTC+03")


def test_text_follows_the_language():
    with translation.override("de"):
        assert moments.as_text(END) == "2. Dezember 2026 18:01 UTC"


def test_naive_moment_is_a_time_of_the_current_zone():
    with timezone.override("Europe/Berlin"):
        assert moments.as_text(datetime(2026, 12, 2, 18, 1)) == "Dec. 2, 2026, 6:01 p.m. CET"
        assert moments.as_html(datetime(2026, 12, 2, 18, 1)).startswith(
            '<time datetime="2026-12-02T18:01:00+01:00">'
        )


def test_html_is_a_time_element_with_the_exact_moment():
    assert moments.as_html(END) == (
        '<time datetime="2026-12-02T18:01:00+00:00">Dec. 2, 2026, 6:01 p.m. UTC</time>'
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ end|with_zone }}", '<time datetime="2026-12-02T18:01:00+00:00">'),
        ('{{ end|with_zone:"SHORT_DATETIME_FORMAT" }}', ">12/02/2026 6:01 p.m. UTC</time>"),
        ("[{{ missing|with_zone }}]", "[]"),
    ],
)
def test_with_zone_filter(source, expected):
    rendered = Template("{% load maintenance_panel %}" + source).render(Context({"end": END}))
    assert expected in rendered


# -- the announcement of a window ------------------------------------------------------------


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_window_is_announced_with_its_day_times_and_zone():
    start = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    with translation.override("en"):
        assert moments.announcement(start, start + timedelta(hours=1)) == (
            "Maintenance on Monday 7 December from 02:00 to 03:00 CET."
        )
        assert moments.announcement(start, None) == "Maintenance from Monday 7 December 02:00 CET."
    with translation.override("de"):
        assert moments.announcement(start, start + timedelta(hours=1)) == (
            "Wartung am Montag, 7. Dezember von 02:00 bis 03:00 CET."
        )


@override_settings(TIME_ZONE="America/New_York")
def test_a_window_across_midnight_names_both_days():
    start = datetime(2026, 12, 13, 4, 0, tzinfo=UTC)  # 23:00 EST on Saturday 12 December
    with translation.override("en"):
        assert moments.announcement(start, start + timedelta(hours=2)) == (
            "Maintenance from Saturday 12 December 23:00 to Sunday 13 December 01:00 EST."
        )


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_window_across_a_clock_change_names_both_zones():
    start = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
    with translation.override("en"):
        assert moments.announcement(start, start + timedelta(hours=1)) == (
            "Maintenance on Sunday 31 October from 02:30 CEST to 02:30 CET."
        )
