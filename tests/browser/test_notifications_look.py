"""The panel's Notifications section and the list of deliveries look like the admin's
own modules and lists.

``MAINTENANCE_PANEL_SCREENSHOTS_NOTIFICATIONS=PATH`` also saves the section's picture
there.
"""

from __future__ import annotations

import os
from typing import Any

from tests.browser.conftest import PASSWORD, require_playwright
from tests.browser.pages import furnish_deliveries
from tests.factories import SuperuserFactory

require_playwright()
from playwright.sync_api import expect  # noqa: E402

PANEL = "/admin/maintenance_panel/maintenanceconfig/"
DELIVERIES = "/admin/maintenance_panel/delivery/"
STYLE = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"


def test_notifications_section_looks_like_a_stock_admin_module(
    new_page: Any, log_in: Any, transactional_db: Any
) -> None:
    furnish_deliveries()
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, SuperuserFactory(username="alice", password=PASSWORD), "/admin/")
    stock_caption = page.locator("#content-main .module caption").first.evaluate(STYLE)

    page.goto(PANEL)

    section = page.locator("#maintenance-notifications")
    heading = section.get_by_role("heading", name="Notifications")
    expect(heading).to_be_visible()
    assert heading.evaluate(STYLE) == stock_caption
    expect(section).to_contain_text("Last delivered")
    expect(section).to_contain_text("1 failing: 502 from hooks.example.com.")
    if os.environ.get("MAINTENANCE_PANEL_SCREENSHOTS_NOTIFICATIONS"):
        section.screenshot(path=os.environ["MAINTENANCE_PANEL_SCREENSHOTS_NOTIFICATIONS"])

    section.get_by_role("link", name="Every delivery and its attempts").click()

    expect(page.get_by_role("heading", name="Select delivery to view")).to_be_visible()
    expect(page.locator("#result_list").get_by_role("row")).to_have_count(3)  # header, 2 rows
    expect(page.get_by_role("link", name="Add delivery")).to_have_count(0)
