"""The panel's "Background work" field: what an operator sees, types and gets back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maintenance_panel.core import is_work_held, set_maintenance_mode
from maintenance_panel.models import MaintenanceConfig
from tests.helpers import PANEL, form_data, logged_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def test_the_form_has_a_background_work_section(client: Client) -> None:
    page = client.get(PANEL)

    body = text(page)
    assert "Background work" in body
    assert "Background work that keeps running" in body
    assert "matched against the start of the name of a task or management command" in body
    assert 'name="ignore_tasks"' in page.content.decode()


def test_saving_exempts_that_work_at_once(client: Client) -> None:
    set_maintenance_mode(True)
    data = form_data(client.get(PANEL))
    data["ignore_tasks"] = "^clearsessions$\n^reports\\."

    response = client.post(PANEL, data)

    assert response.status_code == 302
    assert MaintenanceConfig.get_solo().ignore_tasks == "^clearsessions$\n^reports\\."
    assert is_work_held("clearsessions") is False
    assert is_work_held("export") is True


def test_a_pattern_that_could_hang_a_worker_is_a_form_error(client: Client) -> None:
    data = form_data(client.get(PANEL))
    data["ignore_tasks"] = "^ok$\n^(a+)\\1$"

    response = client.post(PANEL, data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["ignore_tasks"]
    assert error.startswith("Line 2: “^(a+)\\1$” uses a backreference")
    assert MaintenanceConfig.get_solo().ignore_tasks == ""


def test_the_settings_entries_are_shown_with_the_reason(client: Client, settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^clearsessions$", "^billing\\."]

    body = text(client.get(PANEL))

    assert (
        "Also kept running, fixed by the MAINTENANCE_MODE_IGNORE_TASKS setting: "
        "^clearsessions$, ^billing\\.. Remove them from the setting to decide here."
    ) in body


def test_without_settings_entries_no_reason_is_shown(client: Client) -> None:
    assert "MAINTENANCE_MODE_IGNORE_TASKS" not in text(client.get(PANEL))
