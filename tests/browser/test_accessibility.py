"""axe-core in Chromium: the app's pages and the demo's have no accessibility violations
of their own.

What the stock admin of the same Django also violates (its user list, its group form,
which has the same two-list group picker as the panel, and its password change page,
whose breadcrumbs are shaped like the panel's) is Django's to fix: such a
violation is allowed on the app's pages by comparing with those pages, not by a list of
rules to ignore.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import require_playwright
from tests.browser.pages import (
    ADMIN_PAGES,
    GROUP_FORM,
    PANEL,
    PASSWORD_CHANGE,
    USER_LIST,
    furnish,
    open_demo_503,
)

require_playwright()
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

#: One violating element: the rule, the element's tag and classes, and the classes of
#: its closest ancestor that has any. Ids and text differ between the app's pages and
#: the stock ones; the kind of element and where it sits do not.
Signature = tuple[str, str, tuple[str, ...], tuple[str, ...]]

CONTAINER = """selector => {
    const element = document.querySelector(selector);
    const container = element && element.parentElement && element.parentElement.closest("[class]");
    return container ? container.className : "";
}"""


def signature(page: Any, rule: str, node: dict[str, Any]) -> Signature:
    html = node["html"]
    tag = re.match(r"<\s*([a-zA-Z0-9-]+)", html)
    classes = re.search(r'\bclass="([^"]*)"', html)
    target = node["target"][0] if node["target"] else ""
    container = page.evaluate(CONTAINER, target) if isinstance(target, str) else ""
    return (
        rule,
        tag.group(1).lower() if tag else "",
        tuple(sorted(classes.group(1).split())) if classes else (),
        tuple(sorted(str(container).split())),
    )


def violations(page: Any) -> dict[Signature, list[str]]:
    """axe-core's violations on ``page``: each kind of violating element, with a line
    per element that says what is wrong (for the failure message)."""
    results = Axe().run(page)
    found: dict[Signature, list[str]] = {}
    for rule in results.response["violations"]:
        for node in rule["nodes"]:
            found.setdefault(signature(page, rule["id"], node), []).append(
                f"{rule['id']} ({rule['impact']}): {node['html'][:160]} -- {rule['help']}"
            )
    return found


def own(found: dict[Signature, list[str]], allowed: set[Signature]) -> list[str]:
    return [line for key, lines in found.items() if key not in allowed for line in lines]


@pytest.fixture
def admin_page(new_page: Any, sign_in: Any, transactional_db: Any) -> Any:
    operator = furnish()
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, operator)
    return page


#: What the stock admin pages violate, per colour scheme: the same in every test of a
#: run (the same Django, the same pages), so each scheme is asked once.
_STOCK: dict[str, set[Signature]] = {}


def stock_violations(page: Any, scheme: str = "light") -> set[Signature]:
    """What the stock admin pages of this Django violate (``page`` is logged in)."""
    if scheme not in _STOCK:
        allowed: set[Signature] = set()
        for path in (USER_LIST, GROUP_FORM, PASSWORD_CHANGE):
            page.goto(path)
            allowed |= set(violations(page))
        _STOCK[scheme] = allowed
    return _STOCK[scheme]


@pytest.fixture
def stock(admin_page: Any) -> set[Signature]:
    return stock_violations(admin_page)


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
def test_admin_page_has_no_violations_of_its_own(
    admin_page: Any, stock: set[Signature], name: str
) -> None:
    page = ADMIN_PAGES[name](admin_page)
    assert own(violations(page), stock) == []


@pytest.mark.parametrize("name", ["panel", "confirm", "bypass-created"])
def test_dark_mode_has_no_violations_of_its_own(
    new_page: Any, sign_in: Any, transactional_db: Any, name: str
) -> None:
    operator = furnish()
    page = new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    sign_in(page, operator)
    allowed = stock_violations(page, "dark")
    page = ADMIN_PAGES[name](page)
    assert own(violations(page), allowed) == []


def test_panel_during_maintenance_has_no_violations_of_its_own(
    admin_page: Any, stock: set[Signature]
) -> None:
    from maintenance_panel import core

    core.set_maintenance_mode(True)
    admin_page.goto(PANEL)
    admin_page.locator(".mp-admin-banner").wait_for()
    assert own(violations(admin_page), stock) == []


def test_panel_during_a_lock_out_has_no_violations_of_its_own(
    admin_page: Any, stock: set[Signature]
) -> None:
    from maintenance_panel import core
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    config.ignore_admin_site = False
    config.save()
    core.set_maintenance_mode(True)
    admin_page.goto(PANEL)
    admin_page.locator(".mp-badge--on").wait_for()
    assert own(violations(admin_page), stock) == []


def test_split_inputs_and_the_user_search_have_names(admin_page: Any) -> None:
    from playwright.sync_api import expect

    admin_page.goto(PANEL)
    for label in ("Starts at", "Ends at", "Expires at"):
        expect(admin_page.get_by_role("textbox", name=f"{label}: date")).to_have_count(1)
        expect(admin_page.get_by_role("textbox", name=f"{label}: time")).to_have_count(1)
    expect(admin_page.get_by_role("searchbox", name="Users who see the site")).to_be_attached()


@pytest.mark.parametrize("path", ["/", "/about/"])
def test_demo_pages_have_no_violations(new_page: Any, transactional_db: Any, path: str) -> None:
    page = new_page()
    page.goto(path)
    assert own(violations(page), set()) == []


def test_demo_page_with_the_banner_has_no_violations(new_page: Any, transactional_db: Any) -> None:
    from maintenance_panel import core

    furnish()
    core.set_maintenance_mode(True)
    page = new_page()
    page.goto("/about/")
    page.locator(".maintenance-banner").wait_for()
    assert own(violations(page), set()) == []


def test_demo_maintenance_page_has_no_violations(new_page: Any, transactional_db: Any) -> None:
    furnish()
    page = open_demo_503(new_page())
    assert page.get_by_role("main").count() == 1
    assert own(violations(page), set()) == []
