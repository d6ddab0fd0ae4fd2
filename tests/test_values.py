"""Values handed to the Python API: booleans and moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.values import InvalidValue, check_bool, to_moment


@pytest.mark.parametrize("value", ["off", 0, 1, None, "False"])
def test_only_real_booleans_pass(value):
    with pytest.raises(TypeError, match="must be True or False"):
        check_bool(value, "value")


def test_booleans_pass():
    check_bool(True, "value")
    check_bool(False, "value")


def test_a_timedelta_counts_from_now():
    before = timezone.now()
    moment = to_moment(timedelta(minutes=30), name="end")
    assert before + timedelta(minutes=30) <= moment <= timezone.now() + timedelta(minutes=30)


@override_settings(TIME_ZONE="Europe/Paris")
def test_a_naive_datetime_is_read_in_the_current_time_zone():
    moment = to_moment(datetime(2099, 7, 1, 2, 0), name="start")
    assert moment == datetime(2099, 7, 1, 0, 0, tzinfo=UTC)


def test_none_stays_none_and_other_types_are_refused():
    assert to_moment(None, name="start") is None
    with pytest.raises(TypeError, match="start must be a datetime, an ISO 8601 string or a"):
        to_moment(1700000000, name="start")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2099-01-01T02:00:00+01:00", datetime(2099, 1, 1, 1, 0, tzinfo=UTC)),
        ("2099-01-01T01:00Z", datetime(2099, 1, 1, 1, 0, tzinfo=UTC)),
        (" 2099-01-01 01:00:00+00:00 ", datetime(2099, 1, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_iso_strings_are_read_as_the_older_library_reads_them(text, expected):
    assert to_moment(text, name="end") == expected


@override_settings(TIME_ZONE="Europe/Berlin")
def test_an_iso_string_without_offset_is_read_in_the_current_zone():
    assert to_moment("2099-01-01T02:00", name="end") == datetime(2099, 1, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["tomorrow", "+1h", "2099-02-30T00:00", "2099-01-01T25:00", ""])
def test_a_string_that_is_not_a_time_is_an_invalid_value(text):
    with pytest.raises(InvalidValue, match="end is not a time") as raised:
        to_moment(text, name="end")
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, ValidationError)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_local_time_the_clocks_skip_is_an_invalid_value_too():
    with pytest.raises(ValueError, match="does not exist or exists twice"):
        to_moment("2027-03-28T02:30", name="end")


@override_settings(USE_TZ=False)
def test_moments_without_time_zone_support():
    aware = timezone.now()
    assert timezone.is_naive(to_moment(aware, name="start"))
    naive = datetime(2099, 1, 1, 2, 0)
    assert to_moment(naive, name="start") == naive


@override_settings(TIME_ZONE="Europe/Berlin")
@pytest.mark.parametrize("moment", [datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)])
def test_the_api_refuses_a_local_time_the_clocks_skip_or_pass_twice(moment):
    with pytest.raises(ValidationError, match="does not exist or exists twice"):
        to_moment(moment, name="end")


def test_an_offset_postgresql_cannot_store_becomes_the_same_moment_in_utc():
    moment = to_moment("2099-08-18T15:43:57+21:11", name="start")
    assert moment.utcoffset() == timedelta(0)
    assert moment == datetime(2099, 8, 17, 18, 32, 57, tzinfo=UTC)


def test_an_offset_that_moves_the_first_day_out_of_the_calendar_is_out_of_range():
    with pytest.raises(InvalidValue, match="out of range"):
        to_moment("0001-01-01T01:00:00+21:11", name="start")
