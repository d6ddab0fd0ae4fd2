"""Repeated windows: the rule read and refused, its occurrences in wall-clock time across
daylight saving, and the schedule a snapshot keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule

from maintenance_panel import recurrence
from maintenance_panel.recurrence import RuleError, Schedule, occurrences, parse
from maintenance_panel.recurrence_parts import ANCHOR

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def walls(rule: str, zone: ZoneInfo, after: datetime, count: int, duration=HOUR) -> list[str]:
    """The starts and ends as the zone's clocks show them."""
    return [
        f"{w.starts_at.astimezone(zone):%Y-%m-%d %H:%M %Z}-{w.ends_at.astimezone(zone):%H:%M %Z}"
        for w in occurrences(parse(rule), duration, zone, after, count)
    ]


# -- reading a rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0", "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"),
        ("RRULE:freq=daily; byhour=3", "FREQ=DAILY;BYHOUR=3"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=WEEKLY;UNTIL=20270301", "FREQ=WEEKLY;UNTIL=20270301"),
        ("FREQ=WEEKLY;UNTIL=20270301T020000Z", "FREQ=WEEKLY;UNTIL=20270301T020000Z"),
        ("FREQ=HOURLY;INTERVAL=6;BYMINUTE=30", "FREQ=HOURLY;INTERVAL=6;BYMINUTE=30"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_a_rule_is_stored_upper_cased_without_its_prefix(text, stored):
    assert parse(text).text == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BYHOUR=2", "FREQ is missing"),
        ("garbage", "Write the rule as NAME=VALUE parts"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY repeats too often for maintenance"),
        ("FREQ=MINUTELY;INTERVAL=90", "FREQ=MINUTELY repeats too often"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency"),
        ("FREQ=WEEKLY;COUNT=3", "COUNT cannot be used: the rule has no start date"),
        ("DTSTART:20261207T020000\nRRULE:FREQ=WEEKLY", "DTSTART cannot be used"),
        ("FREQ=WEEKLY;DTSTART=20261207", "DTSTART cannot be used"),
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO", "BYSETPOS is not supported here"),
        ("FREQ=WEEKLY;COLOR=RED", "COLOR is not supported here"),
        ("FREQ=WEEKLY;BYHOUR=25", "BYHOUR=25: 25 is out of range (0 to 23)"),
        ("FREQ=WEEKLY;BYHOUR=two", "BYHOUR=TWO: TWO is not a whole number"),
        ("FREQ=WEEKLY;BYMINUTE=-5", "BYMINUTE=-5: -5 is out of range"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY=XX: XX is not a day"),
        ("FREQ=WEEKLY;BYDAY=1SU", "only works with FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=WEEKLY;WKST=ZZ", "WKST=ZZ: ZZ is not a day"),
        ("FREQ=WEEKLY;UNTIL=2027", "UNTIL=2027 is not a date"),
        ("FREQ=WEEKLY;UNTIL=20270230", "UNTIL=20270230 is not a date"),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ is given twice"),
        ("FREQ=WEEKLY;BYHOUR=", "BYHOUR has no value"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "This rule never happens"),
        ("FREQ=MONTHLY;BYDAY=5FR;BYMONTHDAY=1,2,3,4,5,6,7", "This rule never happens"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0: 0 is out of range (1 to 1000)"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_naming_what_is_wrong(text, message):
    with pytest.raises(RuleError) as caught:
        parse(text)
    assert message in str(caught.value)


# -- occurrences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SA;BYHOUR=1;BYMINUTE=15",
        "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,WE",
        "FREQ=DAILY;INTERVAL=5;BYHOUR=4",
        "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=22",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=HOURLY;INTERVAL=7;BYMINUTE=10",
        "FREQ=MONTHLY",
    ],
)
def test_occurrences_are_the_calendars_whatever_the_moment_asked(text):
    """Expanding from a start near now gives what expanding from 1 January 2001 gives
    (up to the span a schedule looks ahead)."""
    rule = parse(text)
    after = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    found = [w.starts_at for w in occurrences(rule, HOUR, UTC, after, 6)]
    everything = dateutil_rrule.rrule(dtstart=ANCHOR, **rule.dateutil_arguments())
    expected = [
        moment.replace(tzinfo=UTC)
        for moment in everything.xafter(after.replace(tzinfo=None) - HOUR, count=6)
        if after < moment.replace(tzinfo=UTC) + HOUR
        and moment.replace(tzinfo=UTC) <= after + recurrence.SEARCH_SPAN
    ][:6]
    assert found == expected


def test_two_in_the_morning_stays_two_across_daylight_saving_in_berlin():
    after = datetime(2027, 3, 10, tzinfo=UTC)
    assert walls("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30", BERLIN, after, 4) == [
        "2027-03-14 02:30 CET-03:30 CET",
        "2027-03-21 02:30 CET-03:30 CET",
        # 02:30 does not exist on 28 March (02:00 jumps to 03:00): an hour later.
        "2027-03-28 03:30 CEST-04:30 CEST",
        "2027-04-04 02:30 CEST-03:30 CEST",
    ]


def test_a_time_that_exists_twice_happens_once_the_first_time_in_berlin():
    after = datetime(2027, 10, 20, tzinfo=UTC)
    assert walls("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30", BERLIN, after, 3) == [
        "2027-10-24 02:30 CEST-03:30 CEST",
        # 02:30 comes twice on 31 October: the first one (summer time); an hour later
        # by the clock on the wall it is 02:30 again, in winter time.
        "2027-10-31 02:30 CEST-02:30 CET",
        "2027-11-07 02:30 CET-03:30 CET",
    ]


def test_new_york_skips_and_repeats_other_hours():
    spring = datetime(2027, 3, 13, tzinfo=UTC)
    assert walls("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", NEW_YORK, spring, 3) == [
        "2027-03-13 02:30 EST-03:30 EST",
        "2027-03-14 03:30 EDT-04:30 EDT",  # 02:00 jumps to 03:00 on 14 March
        "2027-03-15 02:30 EDT-03:30 EDT",
    ]
    autumn = datetime(2027, 11, 6, tzinfo=UTC)
    assert walls("FREQ=DAILY;BYHOUR=1;BYMINUTE=30", NEW_YORK, autumn, 3) == [
        "2027-11-06 01:30 EDT-02:30 EDT",
        "2027-11-07 01:30 EDT-01:30 EST",  # 01:30 comes twice on 7 November: the first
        "2027-11-08 01:30 EST-02:30 EST",
    ]


def test_a_start_skipped_and_the_one_after_it_are_one_occurrence():
    """Every half hour from 02:00 on the day 02:00-03:00 does not exist: 02:30 moves to
    03:30, which is also a start of its own; the window opens once."""
    after = datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    rule = parse("FREQ=HOURLY;BYHOUR=2,3;BYMINUTE=30")
    starts = [w.starts_at for w in occurrences(rule, timedelta(minutes=20), BERLIN, after, 3)]
    assert len(starts) == len(set(starts))
    assert [s.astimezone(BERLIN).strftime("%d %H:%M") for s in starts] == [
        "28 03:30",
        "29 02:30",
        "29 03:30",
    ]


def test_until_ends_the_series_and_is_read_in_the_zone():
    after = datetime(2027, 2, 20, tzinfo=UTC)
    local = walls("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;UNTIL=20270307T020000", BERLIN, after, 5)
    assert [line[:10] for line in local] == ["2027-02-21", "2027-02-28", "2027-03-07"]
    utc = walls("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;UNTIL=20270307T005959Z", BERLIN, after, 5)
    assert [line[:10] for line in utc] == ["2027-02-21", "2027-02-28"]
    by_date = walls("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;UNTIL=20270307", BERLIN, after, 5)
    assert [line[:10] for line in by_date] == ["2027-02-21", "2027-02-28", "2027-03-07"]


def test_an_occurrence_that_opened_before_is_open_now():
    after = datetime(2027, 1, 3, 1, 30, tzinfo=UTC)  # 02:30 in Berlin, a Sunday
    first = occurrences(parse("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"), HOUR, BERLIN, after, 1)[0]
    assert first.starts_at == datetime(2027, 1, 3, 1, 0, tzinfo=UTC)


# -- the schedule a snapshot keeps -------------------------------------------------------------


def test_a_schedule_answers_around_now_and_keeps_working_past_its_horizon():
    schedule = Schedule(parse("FREQ=HOURLY;INTERVAL=3"), timedelta(minutes=30), UTC)
    start = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    # Three weeks, every twenty minutes: far past the few starts computed at once.
    for step in range(3 * 7 * 24 * 3):
        now = start + step * timedelta(minutes=20)
        three = now.replace(minute=0, second=0, hour=now.hour // 3 * 3)
        open_now = schedule.window_at(now)
        if now - three < timedelta(minutes=30):
            assert open_now is not None
            assert open_now.starts_at == three
        else:
            assert open_now is None
        assert schedule.window_after(now).starts_at == three + timedelta(hours=3)


def test_a_schedule_computes_again_only_when_now_passes_what_it_knows(monkeypatch):
    calls = []
    real = recurrence.occurrences
    monkeypatch.setattr(
        recurrence, "occurrences", lambda *args: calls.append(args[3]) or real(*args)
    )
    schedule = Schedule(parse("FREQ=DAILY;BYHOUR=2"), HOUR, UTC)
    now = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    for minute in range(0, 24 * 60, 7):
        schedule.window_at(now + timedelta(minutes=minute))
    assert len(calls) == 1
    schedule.window_at(now + timedelta(days=8))
    assert len(calls) == 2


def test_the_window_before_is_the_last_closed_occurrence():
    schedule = Schedule(parse("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=3"), HOUR, UTC)
    before = schedule.window_before(datetime(2027, 3, 15, tzinfo=UTC))
    assert before.starts_at == datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    during = schedule.window_before(datetime(2027, 3, 1, 3, 30, tzinfo=UTC))
    assert during.starts_at == datetime(2027, 2, 1, 3, 0, tzinfo=UTC)


def test_a_rule_that_ended_has_no_window_after():
    schedule = Schedule(parse("FREQ=DAILY;UNTIL=20200101"), HOUR, UTC)
    now = datetime(2026, 12, 6, tzinfo=UTC)
    assert schedule.window_after(now) is None
    assert schedule.window_at(now) is None


def test_stored_values_make_a_schedule_only_with_a_usable_rule_and_duration():
    assert recurrence.schedule_of("", HOUR, UTC) is None
    assert recurrence.schedule_of("FREQ=DAILY", None, UTC) is None
    assert recurrence.schedule_of("FREQ=DAILY", timedelta(0), UTC) is None
    assert recurrence.schedule_of("FREQ=NEVER", HOUR, UTC) is None  # saved around the form
    assert recurrence.schedule_of("FREQ=DAILY", HOUR, UTC) == Schedule(
        parse("FREQ=DAILY"), HOUR, UTC
    )


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "at", "active"),
    [
        (None, None, datetime(2027, 1, 3, 2, 30, tzinfo=UTC), True),  # the occurrence
        (None, None, datetime(2027, 1, 3, 4, 0, tzinfo=UTC), False),  # unset: not open
        (datetime(2027, 1, 4, tzinfo=UTC), None, datetime(2027, 1, 5, tzinfo=UTC), True),
        (None, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 3, 2, 30, tzinfo=UTC), True),
    ],
)
def test_with_a_rule_an_occurrence_or_a_set_one_off_window_holds_the_site(
    starts_at, ends_at, at, active
):
    schedule = recurrence.schedule_of("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", HOUR, UTC)
    assert recurrence.stored_active(True, starts_at, ends_at, schedule, at) is active
    assert recurrence.stored_active(False, starts_at, ends_at, schedule, at) is False


def test_a_date_until_is_a_date():
    assert parse("FREQ=DAILY;UNTIL=20270301").until == date(2027, 3, 1)


def test_a_sparse_rule_still_has_its_next_window_near_the_end_of_what_is_known():
    """A yearly rule: fewer starts than kept in the span looked ahead."""
    schedule = Schedule(parse("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1"), HOUR, UTC)
    start = datetime(2026, 12, 6, tzinfo=UTC)
    for step in range(0, 6 * 365, 30):
        now = start + timedelta(days=step)
        year = now.year + 1 if (now.month, now.day) >= (7, 1) else now.year
        assert schedule.window_after(now).starts_at == datetime(year, 7, 1, tzinfo=UTC)


def test_the_window_before_of_a_rule_that_keeps_to_some_months():
    schedule = Schedule(parse("FREQ=HOURLY;BYMONTH=1"), timedelta(minutes=10), UTC)
    before = schedule.window_before(datetime(2026, 12, 6, tzinfo=UTC))
    assert before.starts_at == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)


def test_the_window_before_follows_the_clock_without_expanding_each_time(monkeypatch):
    schedule = Schedule(parse("FREQ=DAILY;BYHOUR=2"), HOUR, UTC)
    calls = []
    real = recurrence.occurrences
    monkeypatch.setattr(
        recurrence, "occurrences", lambda *a, **k: calls.append(a[3]) or real(*a, **k)
    )
    start = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    for hour in range(0, 72):
        now = start + timedelta(hours=hour)
        expected_day = now.date() if now.hour >= 3 else (now - timedelta(days=1)).date()
        closed = schedule.window_before(now)
        assert closed.starts_at == datetime.combine(expected_day, datetime.min.time(), UTC) + (
            2 * HOUR
        )
    assert len(calls) <= 3  # the schedule once, and one look back
