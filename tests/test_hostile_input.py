"""Whatever an operator types: a clear refusal naming the field (and the line), never a
500 or a traceback, and never half a change saved.

Property-based (hypothesis), through the ways in: the admin form, the command's time
parser, the list settings and their checks, and the line validators.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenance_panel import core, setting_lists
from maintenance_panel.admin.forms import current_values
from maintenance_panel.management.times import moment
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from maintenance_panel.validators import validate_ip_lines, validate_url_patterns
from tests.helpers import PANEL, form_data, logged_in, panel_url

pytestmark = pytest.mark.django_db

#: Modest and steady: the examples share the test's database and client on purpose.
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LINE = re.compile(r"^Line (\d+)\b")

ip_lines = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(lambda a: f"{a}/{a.max_prefixlen - 8}"),
    st.ip_addresses(v=6).map(lambda a: f"{a}/48"),
    st.sampled_from(["127.0.0.*", "example.com", "10.0.0.0/33", "::1/129", "1.2.3.4\x00"]),
    st.text(max_size=20),
)
pattern_lines = st.one_of(
    st.sampled_from(
        [r"^/(a+)+$", r"^/(?=x)", r"(a)\1", r"^/healthz$", "(", r"\Z", "a{1001}", "x\x00"]
    ),
    st.from_regex(r"\^?/[a-z(|)*+?.\\\[\]{}0-9,]{0,12}", fullmatch=True),
    st.text(max_size=20),
)
texts = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["a\x00b", "x" * 5000, "\u202e\ufeff", "line\r\nbreak"]),
)
#: Moments around the end of summer time in Berlin (an hour that happens twice), its
#: start (an hour that never happens), the calendar's ends, and anywhere.
moments = st.one_of(
    st.sampled_from(
        [
            datetime(2030, 10, 27, 2, 30),
            datetime(2030, 3, 31, 2, 30),
            datetime(9999, 12, 31, 23, 59, 59),
            datetime(1, 1, 1, 0, 0),
        ]
    ),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
)
date_cells = st.one_of(
    moments.map(lambda m: (m.strftime("%Y-%m-%d"), m.strftime("%H:%M:%S"))),
    st.tuples(st.text(max_size=12), st.text(max_size=8)),
    st.just(("", "")),
)


def lines_of(entries: list[str]) -> str:
    return "\n".join(entries)


@pytest.fixture
def admin_client(operator: Any) -> Client:
    return logged_in(operator)


@override_settings(TIME_ZONE="Europe/Berlin")
@settings(HOSTILE, max_examples=25)  # two requests each
@given(
    title=texts,
    message=texts,
    ips=st.lists(ip_lines, max_size=6).map(lines_of),
    urls=st.lists(pattern_lines, max_size=6).map(lines_of),
    starts=date_cells,
    ends=st.one_of(date_cells, st.just(None)),  # None: the same as the start
    enabled=st.booleans(),
)
def test_the_admin_form_saves_all_or_nothing_and_names_each_refusal(
    admin_client, title, message, ips, urls, starts, ends, enabled
):
    page = admin_client.get(PANEL)
    before = current_values(MaintenanceConfig.get_solo())
    changes_before = MaintenanceChange.objects.count()
    data = {
        **form_data(page),
        "title": title,
        "message": message,
        "ignore_ip_addresses": ips,
        "ignore_urls": urls,
        "starts_at_0": starts[0],
        "starts_at_1": starts[1],
        "ends_at_0": (ends or starts)[0],
        "ends_at_1": (ends or starts)[1],
        "_save": "Save",
    }
    if enabled:
        data["enabled"] = "on"
    else:
        data.pop("enabled", None)

    response = admin_client.post(PANEL, data)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        stored = MaintenanceConfig.get_solo()
        assert (stored.title, stored.ignore_urls) == (title.strip(), urls.strip())
        return
    form = response.context["adminform"].form
    assert form.errors, "the form was shown again without saying why"
    for name, errors in form.errors.items():
        assert name == "__all__" or name in form.fields
        if name in ("ignore_ip_addresses", "ignore_urls"):
            text = data[name].replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for error in errors:
                number = LINE.match(error)
                assert number, f"{name}: {error!r} names no line"
                assert 1 <= int(number.group(1)) <= len(text)
    assert current_values(MaintenanceConfig.get_solo()) == before  # nothing saved
    assert MaintenanceChange.objects.count() == changes_before


@override_settings(TIME_ZONE="Europe/Berlin")
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (("0001-01-01", "00:00:00"), ("", "")),  # before year 1 in UTC
        (("", ""), ("9999-12-31", "23:59:59")),
        (("2030-03-31", "02:30:00"), ("", "")),  # an hour that never happens
    ],
)
def test_the_admin_refuses_times_it_cannot_store_or_place(admin_client, start, end):
    page = admin_client.get(PANEL)
    data = {**form_data(page), "_save": "Save"}
    data.update(starts_at_0=start[0], starts_at_1=start[1], ends_at_0=end[0], ends_at_1=end[1])

    response = admin_client.post(PANEL, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"ends_at" if end[0] else "starts_at"}


@HOSTILE
@given(st.text(max_size=40))
def test_the_command_time_parser_gives_a_time_or_says_what_to_type(text):
    refusal = ""
    try:
        value = moment(text)
    except argparse.ArgumentTypeError as exc:
        refusal = str(exc)
    else:
        assert timezone.is_aware(value)
        timezone.localtime(value)  # can be shown
        return
    assert repr(text.strip()) in refusal


@override_settings(TIME_ZONE="Pacific/Kiritimati")  # UTC+14: the calendar ends sooner
@HOSTILE
@given(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(["9999-12-31T23:59", "0001-01-01T00:00", "+" + "9" * 5000 + "w"]),
        st.integers(1, 10**6).map(lambda n: f"+{n}d"),
    )
)
def test_the_command_refuses_any_end_with_a_command_error(config, text):
    refusal = None
    try:
        call_command("maintenance_mode", "on", "--end", text, verbosity=0)
    except CommandError as exc:
        refusal = str(exc)
    call_command("maintenance_mode", "off", verbosity=0)
    assert refusal is None or refusal.strip()  # a CommandError, never another exception


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"message": "a\x00b"}, "message"),
        ({"end": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)}, "ends_at"),
        ({"start": datetime(1, 1, 1, tzinfo=UTC)}, "starts_at"),
    ],
)
def test_the_python_api_refuses_what_the_database_or_calendar_cannot_hold(config, fields, field):
    with pytest.raises(ValidationError) as caught:
        core.set_maintenance_mode(True, **fields)
    assert field in caught.value.message_dict
    assert not MaintenanceConfig.get_solo().enabled


def test_a_timedelta_past_the_calendar_is_a_validation_error(config):
    with pytest.raises(ValidationError, match="too far"):
        core.set_maintenance_mode(True, end=timedelta(days=4_000_000))


settings_values = st.one_of(
    st.lists(st.one_of(ip_lines, pattern_lines), max_size=6),
    st.text(max_size=10),
    st.none(),
    st.tuples(st.text(max_size=5)),
)


@HOSTILE
@given(ips=settings_values, urls=settings_values)
def test_list_settings_never_break_a_request_and_checks_name_each_bad_entry(set_config, ips, urls):
    set_config(enabled=True)
    with override_settings(
        MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=ips, MAINTENANCE_MODE_IGNORE_URLS=urls
    ):
        messages = {m.id: m for m in run_checks() if m.id.startswith("maintenance_panel.E00")}
        setting_lists.ignored_networks()
        setting_lists.ignored_url_patterns()
        assert Client().get("/").status_code in (200, 503)
    for message in messages.values():
        if message.id in ("maintenance_panel.E005", "maintenance_panel.E006"):
            assert "MAINTENANCE_MODE_IGNORE_" in message.msg
            assert message.hint


@HOSTILE
@given(st.lists(st.one_of(ip_lines, pattern_lines, st.just("")), max_size=8).map(lines_of))
def test_line_validators_raise_only_validation_errors_naming_real_lines(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for validate in (validate_ip_lines, validate_url_patterns):
        try:
            validate(text)
        except ValidationError as exc:
            for message in exc.messages:
                number = LINE.match(message)
                assert number, message
                assert lines[int(number.group(1)) - 1].strip()


@override_settings(TIME_ZONE="Pacific/Kiritimati")
def test_the_switchs_confirmation_refuses_an_end_past_the_calendar(admin_client):
    toggle = panel_url("toggle")
    data = {"enabled": "1", "confirm": "1", "ends_at_0": "9999-12-31", "ends_at_1": "23:00:00"}

    response = admin_client.post(toggle, data)

    assert response.status_code == 200
    assert "out of range" in response.content.decode()
    assert not MaintenanceConfig.get_solo().enabled
