"""The panel's Background work section looks like the admin's own modules.

``MAINTENANCE_PANEL_SCREENSHOTS_WORK=PATH`` also saves the section's picture there (the
ones in docs/screenshots/django-<version>/background-work.png).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache import caches

from tests.browser.conftest import PASSWORD, require_playwright
from tests.factories import SuperuserFactory

require_playwright()
from playwright.sync_api import expect  # noqa: E402

PANEL = "/admin/maintenance_panel/maintenanceconfig/"
STYLE = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"


def test_background_work_section_looks_like_a_stock_admin_module(
    new_page: Any, log_in: Any, transactional_db: Any, settings: Any
) -> None:
    from maintenance_panel import core
    from maintenance_panel.fleet import held
    from maintenance_panel.models import MaintenanceConfig

    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^clearsessions$"]
    caches["default"].clear()
    config = MaintenanceConfig.get_solo()
    config.ignore_tasks = "^reports\\."
    config.save()
    core.set_maintenance_mode(True)
    for name in ("export_orders", "export_orders", "send_digest"):
        held.record_held(name)
    assert held.drain()
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, SuperuserFactory(username="alice", password=PASSWORD), "/admin/")
    stock_caption = page.locator("#content-main .module caption").first.evaluate(STYLE)

    page.goto(PANEL)

    work = page.locator("#maintenance-work")
    heading = work.get_by_role("heading", name="Background work")
    expect(heading).to_be_visible()
    assert heading.evaluate(STYLE) == stock_caption
    expect(work).to_contain_text("Background work is held")
    expect(work).to_contain_text("Keeps running during maintenance: ^clearsessions$ (settings)")
    expect(work.get_by_role("row")).to_have_count(3)  # a header and two names
    expect(work.get_by_role("row", name="export_orders 2")).to_be_visible()
    if os.environ.get("MAINTENANCE_PANEL_SCREENSHOTS_WORK"):
        work.screenshot(path=os.environ["MAINTENANCE_PANEL_SCREENSHOTS_WORK"])
