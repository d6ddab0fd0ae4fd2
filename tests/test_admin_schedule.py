"""The rule editor of the panel: the fields, the reading, the next windows, the errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from maintenance_panel.models import MaintenanceConfig
from tests.helpers import PANEL, form_data, logged_in, text

pytestmark = pytest.mark.django_db

PREVIEW = PANEL + "rule-preview/"


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def test_the_schedule_section_holds_the_window_and_the_rule(client):
    page = client.get(PANEL)
    shown = text(page)
    assert "Schedule" in shown
    for label in ("Starts at", "Ends at", "Repeats", "Each time for", "Announce before"):
        assert label in shown
    assert f'data-preview-url="{PREVIEW}"' in page.content.decode()


@override_settings(TIME_ZONE="Europe/Berlin")
def test_the_panel_reads_the_stored_rule_and_lists_its_next_windows(client, set_config):
    set_config(recurrence="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", recurrence_duration=timedelta(hours=1))
    shown = text(client.get(PANEL))
    assert "Every Sunday at 02:00 for 1 hour" in shown
    assert "The next windows, in Europe/Berlin:" in shown
    assert shown.count("Sunday") >= 6
    assert "02:00 to 03:00 CET" in shown or "02:00 to 03:00 CEST" in shown


def test_the_preview_view_answers_what_is_typed(client):
    fragment = client.get(
        PREVIEW, {"rule": "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=4", "duration": "2:00:00"}
    )
    assert fragment.status_code == 200
    assert "no-cache" in fragment["Cache-Control"]
    shown = text(fragment)
    assert "On the first Sunday of every month at 04:00 for 2 hours" in shown
    assert shown.count("04:00 to 06:00") == 5


@pytest.mark.parametrize(
    ("rule", "duration", "message"),
    [
        ("FREQ=WEEKLY;BYHOUR=25", "1:00:00", "BYHOUR=25: 25 is out of range (0 to 23)."),
        ("FREQ=SECONDLY", "1:00:00", "FREQ=SECONDLY repeats too often for maintenance"),
        ("FREQ=WEEKLY", "", "Say how long each window lasts"),
        ("FREQ=WEEKLY", "an hour", "Enter a valid duration."),
    ],
)
def test_the_preview_view_names_what_is_wrong(client, rule, duration, message):
    fragment = client.get(PREVIEW, {"rule": rule, "duration": duration})
    assert fragment.status_code == 200
    assert 'class="errorlist"' in fragment.content.decode()
    assert message in text(fragment)


def test_the_preview_view_is_for_people_who_may_see_the_panel(db):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    assert logged_in(staff).get(PREVIEW, {"rule": "FREQ=DAILY"}).status_code == 403
    assert Client().get(PREVIEW).status_code == 302  # to the login


def test_saving_a_bad_rule_is_a_field_error_not_a_500(client):
    page = client.get(PANEL)
    data = form_data(page)
    data.update({"recurrence": "FREQ=WEEKLY;BYDAY=XX", "recurrence_duration": "1:00:00"})
    response = client.post(PANEL, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "BYDAY=XX: XX is not a day" in errors["recurrence"][0]
    assert "BYDAY=XX: XX is not a day" in text(response)
    assert MaintenanceConfig.get_solo().recurrence == ""


def test_saving_a_rule_stores_it_as_read(client):
    data = form_data(client.get(PANEL))
    data.update({"recurrence": "rrule:freq=daily;byhour=3", "recurrence_duration": "0:30:00"})
    response = client.post(PANEL, data)
    assert response.status_code == 302
    config = MaintenanceConfig.get_solo()
    assert (config.recurrence, config.recurrence_duration) == (
        "FREQ=DAILY;BYHOUR=3",
        timedelta(minutes=30),
    )
    assert "Every day at 03:00 for 30 minutes" in text(client.get(PANEL))


def test_the_status_box_tells_the_rule_and_the_next_window(client, set_config, monkeypatch):
    from django.utils import timezone

    from maintenance_panel import moments

    real = timezone.now()
    # The next Sunday, 02:30 UTC: inside the occurrence (the session is still valid).
    sunday = (real + timedelta(days=(6 - real.weekday()) % 7 or 7)).replace(
        hour=2, minute=30, second=0, microsecond=0
    )
    monkeypatch.setattr(timezone, "now", lambda: sunday)
    set_config(recurrence="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", recurrence_duration=timedelta(hours=1))
    shown = text(client.get(PANEL))
    assert "Repeats every Sunday at 02:00 for 1 hour." in shown
    assert "Its windows open only while maintenance is switched on." in shown
    following = sunday.replace(minute=0) + timedelta(days=7)
    assert f"Next window: {moments.as_text(following)} to" in shown
    set_config(enabled=True)
    shown = text(client.get(PANEL))
    assert "Visitors get the maintenance page." in shown
    end = sunday.replace(minute=0) + timedelta(hours=1)
    assert f"Ends by itself at {moments.as_text(end)}" in shown
    assert "Its windows open only" not in shown


def test_turning_on_with_a_rule_says_the_windows_decide(client, set_config):
    set_config(recurrence="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", recurrence_duration=timedelta(hours=1))
    page = client.post(PANEL + "toggle/", {"enabled": "1"})
    assert page.status_code == 200
    assert (
        "A repeated window is set (every Sunday at 02:00 for 1 hour): without a window "
        "below, maintenance will be on only during its windows." in text(page)
    )
