"""Read-only maintenance in a real browser: visitors read, their changes are refused,
an exempt group still writes; the operator switches it and sees it on the panel."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD, require_playwright, wait_for_status
from tests.factories import GroupFactory, StaffFactory

require_playwright()
from playwright.sync_api import expect  # noqa: E402

PANEL = "/admin/maintenance_panel/maintenanceconfig/"


def sign_guestbook(page: Any, name: str, message: str) -> Any:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Message").fill(message)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign the guestbook").click()
    return navigation.value


def test_operator_turns_read_only_on_and_visitors_can_read_but_not_write(
    new_page: Any, log_in: Any, operator: Any
) -> None:
    from demo.models import GuestbookEntry

    visitor = new_page()
    visitor.goto("/guestbook/")
    expect(visitor.locator(".views")).to_contain_text("Viewed 1 time")
    sign_guestbook(visitor, "Ada", "Before the switch")
    expect(visitor.locator(".entries")).to_contain_text("Before the switch")

    admin = new_page()
    log_in(admin, operator, PANEL)
    admin.get_by_role("button", name="Turn read-only on").click()
    expect(admin.get_by_role("heading", name="Turn read-only maintenance on?")).to_be_visible()
    expect(admin.locator(".mp-lead")).to_contain_text("Visitors will keep reading the site")
    admin.get_by_role("button", name="Yes, turn read-only on").click()
    expect(admin.locator(".mp-badge")).to_have_text("READ-ONLY")
    expect(admin.locator(".mp-admin-banner")).to_contain_text("Read-only maintenance is ON")

    # The form the visitor still has open: sending it gets the read-only page.
    response = sign_guestbook(visitor, "Ada", "During read-only")
    assert response.status == 503
    assert response.headers["retry-after"]
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Changes are paused")
    expect(visitor.locator(".read-only-note")).to_contain_text("what you sent was not saved")
    assert not GuestbookEntry.objects.filter(message="During read-only").exists()

    # Reading still works; the view counter is refused, the page says so, the form is
    # replaced by a notice and the banner says why.
    response = wait_for_status(visitor, "/guestbook/", 200)
    assert response.ok
    expect(visitor.locator(".entries")).to_contain_text("Before the switch")
    expect(visitor.locator(".views")).to_contain_text("not counted")
    expect(visitor.locator(".notice")).to_contain_text("Signing the guestbook is paused")
    expect(visitor.get_by_role("button", name="Sign the guestbook")).to_have_count(0)
    expect(visitor.locator(".maintenance-banner")).to_contain_text("Changes are paused")
    wait_for_status(visitor, "/", 200)
    expect(visitor.get_by_role("heading", name="Welcome to the demo site")).to_be_visible()

    admin.get_by_role("button", name="Turn maintenance off").click()
    expect(admin.locator(".mp-badge")).to_have_text("OFF")
    wait_for_status(visitor, "/guestbook/", 200)
    sign_guestbook(visitor, "Ada", "After read-only")
    expect(visitor.locator(".entries")).to_contain_text("After read-only")


def test_staff_exempt_by_group_can_still_write(new_page: Any, sign_in: Any) -> None:
    from demo.models import GuestbookEntry, PageCounter
    from maintenance_panel.core import set_maintenance_mode
    from maintenance_panel.models import MaintenanceConfig

    editors = GroupFactory(name="Editors")
    editor = StaffFactory(username="editor", password=PASSWORD, groups=[editors])
    set_maintenance_mode(True, read_only=True)
    MaintenanceConfig.get_solo().ignore_groups.set([editors])

    page = new_page()
    sign_in(page, editor)
    wait_for_status(page, "/guestbook/", 200)
    expect(page.locator(".views")).to_contain_text("Viewed 1 time")
    expect(page.locator(".maintenance-banner")).to_contain_text(
        "You can still make changes because your group is on the exemption list"
    )
    response = sign_guestbook(page, "Editor", "Written during read-only")
    assert response.status == 200
    expect(page.locator(".entries")).to_contain_text("Written during read-only")
    assert GuestbookEntry.objects.filter(message="Written during read-only").exists()
    assert PageCounter.objects.get(path="/guestbook/").hits == 2

    anonymous = new_page()
    wait_for_status(anonymous, "/guestbook/", 200)
    expect(anonymous.locator(".notice")).to_be_visible()
