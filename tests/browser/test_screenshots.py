"""Screenshots of the panel and the demo, as in the docs, for the Django that runs them.

Every run takes them (into a temporary folder) and checks they were made;

    MAINTENANCE_PANEL_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py

writes them into docs/screenshots/django-<major>.<minor>/ instead. Run it with the
newest supported Django (.venv) and the oldest (the nox session
"tests(python='3.11', django='5.2')", with this file as its argument after ``--``) to
refresh both sets.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import django
import pytest
from django.test import override_settings
from django.utils import timezone

from tests.browser.conftest import wait_for_status
from tests.browser.pages import (
    ALL_CHANGES,
    DELIVERIES,
    PANEL,
    furnish,
    furnish_deliveries,
    open_api_token_created,
    open_api_tokens,
    open_bypass_created,
)
from tests.factories import GroupFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = (
    "panel-off.png",
    "panel-confirm.png",
    "panel-on.png",
    "preview.png",
    "history.png",
    "bypass-link.png",
    "api-tokens.png",
    "api-token-created.png",
    "demo-503.png",
)
VIEWPORT = {"width": 1280, "height": 900}


def version_folder() -> str:
    """The screenshots' folder for the running Django, e.g. ``django-5.2``."""
    return f"django-{django.VERSION[0]}.{django.VERSION[1]}"


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    if os.environ.get("MAINTENANCE_PANEL_SCREENSHOTS") == "1":
        return SCREENSHOTS / version_folder()
    return tmp_path


def test_screenshots(new_page: Any, log_in: Any, transactional_db: Any, shots_dir: Path) -> None:
    operator = furnish()
    shots_dir.mkdir(parents=True, exist_ok=True)

    page = new_page(viewport=VIEWPORT)
    log_in(page, operator, PANEL)
    page.screenshot(path=shots_dir / "panel-off.png")

    page.get_by_role("button", name="Turn maintenance on").click()
    page.get_by_role("heading", name="Turn maintenance mode on?").wait_for()
    page.get_by_text("Start later, or end by itself (optional)").click()
    end = timezone.localtime() + timedelta(hours=2)
    page.get_by_role("textbox", name="End: date").fill(end.strftime("%Y-%m-%d"))
    page.get_by_role("textbox", name="End: time").fill(end.strftime("%H:%M:%S"))
    page.screenshot(path=shots_dir / "panel-confirm.png")
    page.get_by_role("button", name="Yes, turn maintenance on").click()
    page.locator(".mp-badge--on").wait_for()
    page.screenshot(path=shots_dir / "panel-on.png")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the maintenance page").click()
    preview = opened.value
    preview.set_viewport_size(VIEWPORT)
    preview.wait_for_load_state()
    preview.screenshot(path=shots_dir / "preview.png")
    preview.close()

    page.goto(ALL_CHANGES)
    page.screenshot(path=shots_dir / "history.png")

    open_bypass_created(page)
    page.screenshot(path=shots_dir / "bypass-link.png")

    open_api_tokens(page)
    page.screenshot(path=shots_dir / "api-tokens.png")
    open_api_token_created(page)
    page.screenshot(path=shots_dir / "api-token-created.png")

    visitor = new_page(viewport=VIEWPORT)
    wait_for_status(visitor, "/", 503)
    visitor.screenshot(path=shots_dir / "demo-503.png")

    for name in SHOTS:
        assert (shots_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


#: The rule editor's shots (taken by their own test: refresh them alone with
#: ``-k rule_editor``).
RULE_EDITOR_SHOTS = ("rule-editor.png", "rule-editor-error.png")


def test_rule_editor_screenshots(
    new_page: Any, log_in: Any, transactional_db: Any, shots_dir: Path
) -> None:
    shots_dir.mkdir(parents=True, exist_ok=True)
    with override_settings(TIME_ZONE="Europe/Berlin"):
        page = new_page(viewport=VIEWPORT)
        log_in(page, furnish(), PANEL)
        schedule = page.locator("fieldset").filter(has=page.get_by_label("Repeats"))
        page.get_by_label("Each time for").fill("1:00:00")
        page.get_by_label("Repeats").fill("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2")
        page.get_by_text("Every Sunday at 02:00 for 1 hour").wait_for()
        schedule.screenshot(path=shots_dir / "rule-editor.png")
        page.get_by_label("Repeats").fill("FREQ=WEEKLY;BYDAY=SU;BYHOUR=25")
        page.locator("#id_recurrence_preview .errorlist").wait_for()
        schedule.screenshot(path=shots_dir / "rule-editor-error.png")
    for name in RULE_EDITOR_SHOTS:
        assert (shots_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


#: The Notifications section and the list of deliveries (refresh them alone with
#: ``-k notifications``).
NOTIFICATIONS_SHOTS = ("notifications.png", "deliveries.png")
WEBHOOKS = [{"url": "https://hooks.example.com/in", "secret": "s" * 32}]


def test_notifications_screenshots(
    new_page: Any, log_in: Any, transactional_db: Any, shots_dir: Path
) -> None:
    # The models, once the test's database is set up (as the other browser tests do).
    from maintenance_panel.models import MaintenanceConfig

    operator = furnish()
    on_call = GroupFactory(name="On call")
    for name in ("carol", "dave"):
        UserFactory(username=name, email=f"{name}@example.com").groups.add(on_call)
    MaintenanceConfig.get_solo().notify_groups.set([on_call])
    furnish_deliveries()
    shots_dir.mkdir(parents=True, exist_ok=True)
    with override_settings(MAINTENANCE_MODE_WEBHOOKS=WEBHOOKS):
        page = new_page(viewport=VIEWPORT)
        log_in(page, operator, PANEL)
        section = page.locator("#maintenance-notifications")
        section.get_by_text("1 webhook and 2 e-mail addresses").wait_for()
        section.screenshot(path=shots_dir / "notifications.png")
        page.goto(DELIVERIES)
        page.get_by_role("heading", name="Select delivery to view").wait_for()
        page.screenshot(path=shots_dir / "deliveries.png")
    for name in NOTIFICATIONS_SHOTS:
        assert (shots_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
