"""axe-core on the read-only and scope pages: the panel and its confirmation, the
demo's guestbook and its read-only maintenance page have no violations of their own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import require_playwright, wait_for_status
from tests.browser.pages import PANEL, furnish

require_playwright()
from tests.browser.test_accessibility import (  # noqa: E402
    admin_page,
    own,
    stock,
    violations,
)

__all__ = ["admin_page", "stock"]  # fixtures, used by name


def test_panel_in_read_only_with_a_scope(admin_page: Any, stock: Any) -> None:
    from maintenance_panel import core

    core.set_maintenance_mode(True, read_only=True, scope=["^/checkout/", "^/api/v1/"])
    admin_page.goto(PANEL)
    admin_page.locator(".mp-badge--read-only").wait_for()
    assert own(violations(admin_page), stock) == []


def test_read_only_confirmation(admin_page: Any, stock: Any) -> None:
    admin_page.goto(PANEL)
    admin_page.get_by_role("button", name="Turn read-only on").click()
    admin_page.get_by_role("button", name="Yes, turn read-only on").wait_for()
    assert own(violations(admin_page), stock) == []


@pytest.mark.parametrize("read_only", [False, True])
def test_guestbook(new_page: Any, transactional_db: Any, read_only: bool) -> None:
    from maintenance_panel import core

    furnish()
    core.set_maintenance_mode(read_only, read_only=True)
    page = new_page()
    wait_for_status(page, "/guestbook/", 200)
    assert own(violations(page), set()) == []


def test_read_only_maintenance_page(new_page: Any, transactional_db: Any) -> None:
    from maintenance_panel import core

    furnish()
    page = new_page()
    wait_for_status(page, "/guestbook/", 200)
    core.set_maintenance_mode(True, read_only=True)
    page.get_by_label("Name").fill("Ada")
    page.get_by_label("Message").fill("Hello")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign the guestbook").click()
    assert navigation.value.status == 503
    assert own(violations(page), set()) == []
