"""The panel's Servers section looks like the admin's own modules."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.cache import caches

from tests.browser.conftest import PASSWORD, require_playwright
from tests.factories import SuperuserFactory
from tests.fakes import other, store

require_playwright()
from playwright.sync_api import expect  # noqa: E402

PANEL = "/admin/maintenance_panel/maintenanceconfig/"
STYLE = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"


def test_servers_section_looks_like_a_stock_admin_module(
    new_page: Any, log_in: Any, transactional_db: Any
) -> None:
    from maintenance_panel import conf, core, fleet, state
    from maintenance_panel.fleet import writer as fleet_writer

    core.set_maintenance_mode(True)
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, SuperuserFactory(username="alice", password=PASSWORD), "/admin/")
    stock_caption = page.locator("#content-main .module caption").first.evaluate(STYLE)

    # This process (the live server's) reports the state it applies now: it installed
    # the snapshot in the test's thread, before it served a request, and would report
    # only at its next re-validation. Then the other processes' reports, in slots this
    # process's report does not take.
    fleet_writer.report_installed(state.get_snapshot(), conf.state_ttl())
    fleet.drain()
    store(
        other("web-1", 812, active=True),
        other("web-2", 4711, active=False, forced=True),
        other("web-2", 4712, active=False, seen_at=time.time() - 0.4),
    )
    page.goto(PANEL)
    servers = page.locator("#maintenance-servers")
    expect(servers.get_by_role("heading", name="Servers")).to_be_visible()
    assert servers.get_by_role("heading", name="Servers").evaluate(STYLE) == stock_caption
    expect(servers).to_contain_text("processes on 2 hosts have this state.")
    expect(servers).to_contain_text("web-2, pid 4711: forced off by its settings")
    expect(servers.get_by_role("row")).to_have_count(5)  # a header and four processes
    if os.environ.get("MAINTENANCE_PANEL_SCREENSHOTS_SERVERS"):
        servers.screenshot(path=os.environ["MAINTENANCE_PANEL_SCREENSHOTS_SERVERS"])
    for slot in range(fleet.SLOTS):
        caches["default"].delete(fleet.SLOT_KEY % slot)
