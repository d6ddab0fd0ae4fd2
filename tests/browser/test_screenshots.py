"""Screenshots of the panel, as in the docs.

Every run takes them (into a temporary folder) and checks they were made;

    MAINTENANCE_PANEL_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py

writes them into docs/ instead: panel-off.png, panel-on.png, panel-confirm.png and
preview.png.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import PASSWORD
from tests.factories import GroupFactory, SuperuserFactory

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = ("panel-off.png", "panel-confirm.png", "panel-on.png", "preview.png")
PANEL = "/admin/maintenance_panel/maintenanceconfig/"
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    if os.environ.get("MAINTENANCE_PANEL_SCREENSHOTS") == "1":
        return DOCS
    return tmp_path


def test_screenshots(new_page: Any, log_in: Any, transactional_db: Any, shots_dir: Path) -> None:
    from maintenance_panel import changes, core
    from maintenance_panel.models import MaintenanceConfig

    operator = SuperuserFactory(username="alice", first_name="Alice", password=PASSWORD)
    with changes.recording(source="admin", user=operator):
        config = MaintenanceConfig.get_solo()
        config.title = "We are upgrading the database"
        config.message = (
            "The shop is back in about an hour; your basket is kept.\n"
            "Questions? Write to help@example.com."
        )
        config.save()
        config.ignore_groups.set([GroupFactory(name="Beta testers")])
    core.create_bypass_link("QA team", expires_at=timezone.now() + timedelta(days=2), user=operator)
    core.set_maintenance_mode(True, label="command line (deploy)", source="command")
    core.set_maintenance_mode(False, label="command line (deploy)", source="command")
    shots_dir.mkdir(exist_ok=True)

    page = new_page(viewport=VIEWPORT)
    log_in(page, operator, PANEL)
    page.screenshot(path=shots_dir / "panel-off.png")

    page.get_by_role("button", name="Turn maintenance on").click()
    page.get_by_role("heading", name="Turn maintenance mode on?").wait_for()
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

    for name in SHOTS:
        assert (shots_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
