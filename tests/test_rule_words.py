"""A rule in plain words, in the visitor's or operator's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from maintenance_panel.recurrence import parse
from maintenance_panel.rule_words import duration_text, reading

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _english():
    """The words asserted are English ones, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0", "every Sunday at 02:00 for 1 hour"),
        ("FREQ=DAILY;BYHOUR=23;BYMINUTE=30", "every day at 23:30 for 1 hour"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days at 00:00 for 1 hour"),
        ("FREQ=DAILY;BYDAY=MO,TU", "every Monday and Tuesday at 00:00 for 1 hour"),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=2,14",
            "every Monday, Wednesday and Friday at 02:00 and 14:00 for 1 hour",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;BYHOUR=1",
            "every 2 weeks on Saturday at 01:00 for 1 hour",
        ),
        ("FREQ=WEEKLY", "every Monday at 00:00 for 1 hour"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=3",
            "on day 1 and 15 of every month at 03:00 for 1 hour",
        ),
        ("FREQ=MONTHLY;INTERVAL=2", "on day 1 of every 2 months at 00:00 for 1 hour"),
        (
            "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=4",
            "on the first Sunday of every month at 04:00 for 1 hour",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=22",
            "on the last Friday of every month at 22:00 for 1 hour",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "on the last day of every month at 00:00 for 1 hour"),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "every year on December 24 at 00:00 for 1 hour"),
        ("FREQ=HOURLY;INTERVAL=6", "every 6 hours, on the hour for 1 hour"),
        ("FREQ=HOURLY;BYMINUTE=15,45", "every hour, at 15 and 45 minutes past for 1 hour"),
        ("FREQ=DAILY;BYMONTH=1,7;BYHOUR=5", "every day in January and July at 05:00 for 1 hour"),
        (
            "FREQ=WEEKLY;BYDAY=SU;UNTIL=20270301",
            "every Sunday at 00:00 until March 1, 2027 for 1 hour",
        ),
    ],
)
def test_common_shapes_are_put_into_words(rule, words):
    assert reading(parse(rule), HOUR) == words


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=2MO,3TU",
        "FREQ=MONTHLY;BYDAY=-2SU",
        "FREQ=YEARLY;BYMONTH=1,6;BYMONTHDAY=1",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6",
        "FREQ=HOURLY;BYHOUR=1,2",
    ],
)
def test_a_rule_without_words_is_read_as_how_often_and_the_rule_itself(rule):
    words = reading(parse(rule))
    assert words.startswith("every ")
    assert f", by the rule {rule}" in words


def test_the_reading_is_in_the_active_language():
    with translation.override("de"):
        assert reading(parse("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"), HOUR) == (
            "jeden Sonntag um 02:00 für 1 Stunde"
        )
    with translation.override("fr"):
        assert reading(parse("FREQ=MONTHLY;BYDAY=1SU;BYHOUR=4"), HOUR) == (
            "le premier dimanche de chaque mois à 04:00 pendant 1 heure"
        )
    with translation.override("es"):
        assert (
            reading(parse("FREQ=DAILY;BYHOUR=3"), 2 * HOUR)
            == "cada día a las 03:00 durante 2 horas"
        )


def test_durations_in_words():
    assert duration_text(timedelta(hours=1, minutes=30)) == "1 hour, 30 minutes"
    assert duration_text(timedelta(days=2)) == "2 days"
