"""What an operator does in the admin's maintenance panel, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD, require_playwright, wait_for_status
from tests.factories import GroupFactory, UserFactory

require_playwright()
from playwright.sync_api import expect  # noqa: E402

PANEL = "/admin/maintenance_panel/maintenanceconfig/"


def test_operator_turns_maintenance_on_and_off(new_page: Any, log_in: Any, operator: Any) -> None:
    admin = new_page()
    visitor = new_page()
    assert wait_for_status(visitor, "/", 200)

    log_in(admin, operator, PANEL)
    expect(admin.locator(".mp-badge")).to_have_text("OFF")
    admin.get_by_role("button", name="Turn maintenance on").click()

    # The confirmation step: nothing has changed yet.
    expect(admin.get_by_role("heading", name="Turn maintenance mode on?")).to_be_visible()
    assert wait_for_status(visitor, "/", 200)
    admin.get_by_role("button", name="Yes, turn maintenance on").click()

    expect(admin.locator(".mp-badge")).to_have_text("ON")
    expect(admin.locator(".messagelist")).to_contain_text("visitors get the maintenance page")
    expect(admin.locator(".mp-admin-banner")).to_contain_text("Maintenance mode is ON")
    response = wait_for_status(visitor, "/", 503)
    assert response.headers["retry-after"]
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Website unavailable")

    admin.get_by_role("button", name="Turn maintenance off").click()
    expect(admin.locator(".mp-badge")).to_have_text("OFF")
    expect(admin.locator(".mp-admin-banner")).to_have_count(0)
    wait_for_status(visitor, "/", 200)
    expect(visitor.get_by_role("heading", name="Welcome to the demo site")).to_be_visible()


def test_operator_edits_previews_and_saves_the_message(
    new_page: Any, log_in: Any, operator: Any
) -> None:
    from maintenance_panel.core import set_maintenance_mode

    set_maintenance_mode(True)
    admin = new_page()
    visitor = new_page()
    log_in(admin, operator, PANEL)

    admin.get_by_label("Title").fill("Back soon")
    admin.get_by_label("Message").fill("We are moving to a bigger server.\nSee you at 4 a.m.")
    with admin.context.expect_page() as opened:
        admin.get_by_role("button", name="Preview the maintenance page").click()
    preview = opened.value
    expect(preview.locator("body")).to_contain_text("Back soon")
    expect(preview.locator("body")).to_contain_text("We are moving to a bigger server.")
    # Not saved yet: visitors still read the old text.
    wait_for_status(visitor, "/", 503)
    expect(visitor.locator("body")).not_to_contain_text("Back soon")
    preview.close()

    admin.get_by_role("button", name="Save", exact=True).last.click()
    expect(admin.locator(".messagelist")).to_contain_text("Maintenance mode was saved.")
    expect(admin).to_have_url(f"{admin.evaluate('location.origin')}{PANEL}")
    wait_for_status(visitor, "/", 503)
    expect(visitor.locator("body")).to_contain_text("Back soon")
    expect(visitor.locator("body")).to_contain_text("See you at 4 a.m.")


def test_operator_lets_a_group_use_the_site(
    new_page: Any, log_in: Any, sign_in: Any, operator: Any
) -> None:
    from maintenance_panel.core import set_maintenance_mode

    beta = GroupFactory(name="Beta testers")
    GroupFactory(name="Press")
    tester = UserFactory(username="tester", password=PASSWORD, groups=[beta])
    outsider = UserFactory(username="outsider", password=PASSWORD)
    set_maintenance_mode(True)

    admin = new_page()
    log_in(admin, operator, PANEL)
    admin.get_by_role("listbox", name="Available groups that see the site").select_option(
        label="Beta testers"
    )
    admin.get_by_role("button", name="Choose selected groups that see the site").click()
    expect(admin.locator("#id_ignore_groups_to")).to_contain_text("Beta testers")
    admin.get_by_role("button", name="Save", exact=True).last.click()
    expect(admin.locator(".messagelist")).to_contain_text("Maintenance mode was saved.")

    member = new_page()
    sign_in(member, tester)
    response = wait_for_status(member, "/", 200)
    assert response.ok
    expect(member.get_by_role("heading", name="Welcome to the demo site")).to_be_visible()
    expect(member.locator(".maintenance-banner")).to_contain_text("your group")

    other = new_page()
    sign_in(other, outsider)
    wait_for_status(other, "/", 503)
    expect(other.get_by_role("heading", level=1)).to_have_text("Website unavailable")


def test_enter_in_the_title_saves(new_page: Any, log_in: Any, operator: Any) -> None:
    admin = new_page()
    log_in(admin, operator, PANEL)

    admin.get_by_label("Title").fill("Typed and saved with Enter")
    admin.get_by_label("Title").press("Enter")

    expect(admin.locator(".messagelist")).to_contain_text("Maintenance mode was saved.")
    assert len(admin.context.pages) == 1  # no preview tab opened
    from maintenance_panel.models import MaintenanceConfig

    assert MaintenanceConfig.get_solo().title == "Typed and saved with Enter"
