"""The form of the admin's maintenance page: saving, validation, conflicts, exemptions."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from maintenance_panel.admin import MaintenanceConfigAdmin
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig, history
from tests.factories import GroupFactory, OperatorFactory, UserFactory
from tests.helpers import PANEL, logged_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def form_data(page: Any, **changed: Any) -> dict[str, Any]:
    """What the browser would post for the form on ``page``, with ``changed`` typed in."""
    form = page.context["adminform"].form
    data: dict[str, Any] = {"_save": "Save"}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = changed.pop(name, form[name].value())
        if isinstance(field, forms.SplitDateTimeField):
            moment = timezone.localtime(value) if isinstance(value, datetime) else None
            data[f"{name}_0"] = moment.strftime("%Y-%m-%d") if moment else ""
            data[f"{name}_1"] = moment.strftime("%H:%M:%S") if moment else ""
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [str(getattr(entry, "pk", entry)) for entry in value or []]
        else:
            data[name] = "" if value is None else str(value)
    assert not changed, f"not in the form: {changed}"
    return data


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.get_solo()


# -- saving ------------------------------------------------------------------------------


def test_saving_text_records_one_history_entry_and_a_log_entry(
    client: Client, operator: Any
) -> None:
    # The page was loaded a minute before the save, as when an operator takes time to type.
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 60):
        page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, title="Back soon", message="Upgrading."))

    assert response.status_code == 302
    assert response["Location"] == PANEL  # back to the panel, which shows the state
    assert "Maintenance mode was saved." in text(client.get(PANEL))
    assert (stored().title, stored().message) == ("Back soon", "Upgrading.")
    change = MaintenanceChange.objects.get()
    assert (change.source, change.user, change.actor) == ("admin", operator, "alice")
    assert change.changes == {"title": ["", "Back soon"], "message": ["", "Upgrading."]}
    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Changed Title and Message."


def test_switch_and_window_in_one_save(client: Client) -> None:
    end = timezone.now() + timedelta(hours=1)
    page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, enabled=True, ends_at=end))

    assert response.status_code == 302
    assert stored().enabled
    assert stored().ends_at == end.replace(microsecond=0)
    assert Client().get("/").status_code == 503


def test_switching_on_with_an_end_in_the_past_is_a_field_error(client: Client) -> None:
    page = client.get(PANEL)

    response = client.post(
        PANEL, form_data(page, enabled=True, ends_at=timezone.now() - timedelta(hours=1))
    )

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["ends_at"]
    assert error.startswith("The end is in the past")
    assert not stored().enabled


def test_switch_fixed_by_settings_is_not_saved(client: Client, settings: Any) -> None:
    settings.MAINTENANCE_MODE = True
    page = client.get(PANEL)
    assert page.context["adminform"].form["enabled"].value() is True
    data = form_data(page, title="x")
    data["enabled"] = "on"

    client.post(PANEL, data)

    assert stored().enabled is False
    assert stored().title == "x"


def test_saved_text_is_what_visitors_read(client: Client) -> None:
    set_maintenance_mode(True)
    page = client.get(PANEL)

    client.post(PANEL, form_data(page, title="Back <soon>", message="Line one\nLine two"))

    body = Client().get("/").content.decode()
    assert "Back &lt;soon&gt;" in body
    assert "Line one<br>Line two" in body


def test_groups_and_users_exemptions(client: Client) -> None:
    beta = GroupFactory(name="Beta testers")
    friend = UserFactory(username="friend")
    page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, ignore_groups=[beta], ignore_users=[friend]))

    assert response.status_code == 302
    assert list(stored().ignore_groups.all()) == [beta]
    assert list(stored().ignore_users.all()) == [friend]
    change = MaintenanceChange.objects.get()
    assert change.changes == {
        "ignore_groups": [[], ["Beta testers"]],
        "ignore_users": [[], ["friend"]],
    }


def test_exemption_widgets(client: Client) -> None:
    body = client.get(PANEL).content.decode()

    # Groups: the admin's two-list selector; users: autocomplete.
    assert 'class="selectfilter"' in body or "SelectFilter2.js" in body
    assert "admin-autocomplete" in body
    for name in (
        "ignore_admin_site",
        "ignore_staff",
        "ignore_superuser",
        "ignore_authenticated_user",
        "ignore_anonymous_user",
        "ignore_ip_addresses",
        "ignore_urls",
    ):
        assert f'name="{name}"' in body


def test_flags_fixed_by_settings_keep_their_stored_value(client: Client, settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_STAFF = True
    page = client.get(PANEL)
    data = form_data(page, title="x")
    data["ignore_staff"] = "on"  # a forged post cannot change a fixed field either

    client.post(PANEL, data)

    assert stored().ignore_staff is False
    assert "ignore_staff" not in MaintenanceChange.objects.get().changes


# -- validation --------------------------------------------------------------------------


def test_invalid_ip_line_is_named(client: Client) -> None:
    page = client.get(PANEL)

    response = client.post(
        PANEL, form_data(page, ignore_ip_addresses="10.0.0.0/8\n300.1.2.3\n2001:db8::/32")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["ignore_ip_addresses"]
    assert any("Line 2" in error and "300.1.2.3" in error for error in errors)
    assert "300.1.2.3" in text(response)
    assert stored().ignore_ip_addresses == ""


def test_invalid_url_pattern_is_named(client: Client) -> None:
    page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, ignore_urls="^/ok/$\n^/broken(/$"))

    errors = response.context["adminform"].form.errors["ignore_urls"]
    assert any("Line 2" in error and "^/broken(/$" in error for error in errors)


def test_end_before_start_is_a_field_error(client: Client) -> None:
    start = timezone.now() + timedelta(days=1)
    page = client.get(PANEL)

    response = client.post(
        PANEL, form_data(page, starts_at=start, ends_at=start - timedelta(hours=1))
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_at"] == [
        "The end must be after the start."
    ]


def test_end_in_the_past_while_on_is_a_field_error(client: Client) -> None:
    set_maintenance_mode(True)
    page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, ends_at=timezone.now() - timedelta(hours=1)))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["ends_at"]
    assert "Turn maintenance off" in error
    assert stored().ends_at is None


def test_end_in_the_past_while_off_is_allowed(client: Client) -> None:
    page = client.get(PANEL)

    response = client.post(PANEL, form_data(page, ends_at=timezone.now() - timedelta(hours=1)))

    assert response.status_code == 302


def test_save_needs_csrf_token(operator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get(PANEL)
    data = form_data(page, title="Forged")

    assert client.post(PANEL, data).status_code == 403
    data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    assert client.post(PANEL, data).status_code == 302
    assert stored().title == "Forged"


# -- conflicts ---------------------------------------------------------------------------


def someone_else_saves(**fields: Any) -> None:
    other = OperatorFactory(username="bob")
    with history.recording(source="admin", user=other):
        config = MaintenanceConfig.get_solo()
        for name, value in fields.items():
            setattr(config, name, value)
        config.save()


def test_conflicting_save_is_refused_and_keeps_the_input(client: Client) -> None:
    page = client.get(PANEL)
    someone_else_saves(title="Bob's title", message="Bob's message")

    response = client.post(PANEL, form_data(page, title="Alice's title", message="Mine"))

    assert response.status_code == 200
    assert stored().title == "Bob's title"
    body = text(response)
    assert "bob saved maintenance mode while you were editing it" in body
    assert "Changed meanwhile" in body
    assert "Title (empty) Bob's title (you changed it too" in body
    assert "Message (empty) Bob's message" in body
    form = response.context["adminform"].form
    assert form["title"].value() == "Alice's title"
    assert form["message"].value() == "Mine"
    assert not MaintenanceChange.objects.filter(actor="alice").exists()


def test_saving_again_after_a_conflict_applies_the_input(client: Client) -> None:
    page = client.get(PANEL)
    someone_else_saves(message="Bob's message")
    refused = client.post(PANEL, form_data(page, title="Alice's title"))

    # The re-shown form now counts as based on Bob's save.
    data = form_data(refused)
    assert data["version"] == str(stored().version)
    response = client.post(PANEL, data)

    assert response.status_code == 302
    assert (stored().title, stored().message) == ("Alice's title", "")


def test_conflict_only_lists_what_changed_meanwhile(client: Client) -> None:
    page = client.get(PANEL)
    someone_else_saves(ignore_staff=True)

    response = client.post(PANEL, form_data(page, title="Alice's title"))

    lines = response.context["adminform"].form.conflict
    assert [(line.label, line.before, line.after, line.also_yours) for line in lines] == [
        ("staff users see the site", "no", "yes", False)
    ]


def test_conflict_at_the_moment_of_saving(client: Client, monkeypatch: Any) -> None:
    """Someone saves between this request's read and its save: refused, not lost."""
    page = client.get(PANEL)
    read_before_bob_saved = MaintenanceConfig.get_solo()
    someone_else_saves(title="Bob's title")
    get_object = MaintenanceConfigAdmin.get_object
    reads = []

    def stale_first(self: Any, request: Any, object_id: str, from_field: Any = None) -> Any:
        reads.append(object_id)
        if len(reads) == 1:
            return read_before_bob_saved
        return get_object(self, request, object_id, from_field)

    monkeypatch.setattr(MaintenanceConfigAdmin, "get_object", stale_first)

    response = client.post(PANEL, form_data(page, title="Alice's title"))

    assert len(reads) == 2
    assert response.status_code == 200
    assert "while you were editing it" in text(response)
    assert response.context["adminform"].form["title"].value() == "Alice's title"
    assert stored().title == "Bob's title"
    assert not LogEntry.objects.exists()


def test_conflicts_at_the_moment_of_saving_twice_running(client: Client, monkeypatch: Any) -> None:
    """Two saves slip in at that very moment, one after the other: still no 500."""
    page = client.get(PANEL)
    stale = [MaintenanceConfig.get_solo(), MaintenanceConfig.get_solo()]
    someone_else_saves(title="Bob's title")
    get_object = MaintenanceConfigAdmin.get_object

    def stale_twice(self: Any, request: Any, object_id: str, from_field: Any = None) -> Any:
        if stale:
            return stale.pop(0)
        return get_object(self, request, object_id, from_field)

    monkeypatch.setattr(MaintenanceConfigAdmin, "get_object", stale_twice)

    response = client.post(PANEL, form_data(page, title="Alice's title"))

    assert response.status_code == 200
    assert "while you were editing it" in text(response)
    assert response.context["adminform"].form["title"].value() == "Alice's title"
    assert stored().title == "Bob's title"


def test_a_save_without_its_version_is_refused_and_changes_nothing(client: Client) -> None:
    page = client.get(PANEL)
    data = form_data(page, title="Without a version")
    del data["version"]
    response = client.post(PANEL, data)
    assert response.status_code == 200
    assert "sent without the version of maintenance mode it was opened with" in text(response)
    assert stored().title != "Without a version"
    assert not MaintenanceChange.objects.filter(changes__has_key="title").exists()
