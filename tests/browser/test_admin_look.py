"""The app's admin pages look like the admin they run in: the header, the breadcrumbs
and the content area have the computed style of the stock user list's, on every
supported Django (the markup differs between versions; what a person sees must not)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import require_playwright
from tests.browser.pages import ADMIN_PAGES, USER_LIST, furnish

require_playwright()

#: What is compared, per part of the page: the element, the computed properties, and
#: whether its height must match too (within HEIGHT_SLACK px).
PARTS = {
    "header": ("#header", True),
    "breadcrumbs": (".breadcrumbs", True),
    "breadcrumb link": (".breadcrumbs a", False),
    "content area": ("#content-start", False),
    "title": ("#content h1", False),
}
PROPERTIES = (
    "display",
    "background-color",
    "color",
    "font-family",
    "font-size",
    "font-weight",
    "padding-left",
    "padding-top",
    "margin-top",
    "list-style-type",
)
HEIGHT_SLACK = 3

STYLE = """([selector, properties]) => {
    const element = document.querySelector(selector);
    if (!element) {
        return null;
    }
    const style = getComputedStyle(element);
    const found = {height: element.getBoundingClientRect().height};
    for (const name of properties) {
        found[name] = style.getPropertyValue(name);
    }
    return found;
}"""


def looks(page: Any) -> dict[str, dict[str, Any] | None]:
    return {
        part: page.evaluate(STYLE, [selector, list(PROPERTIES)])
        for part, (selector, _) in PARTS.items()
    }


@pytest.fixture(params=["light", "dark"])
def admin_page(request: Any, new_page: Any, sign_in: Any, transactional_db: Any) -> Any:
    """A logged-in page, in the browser's light or dark colour scheme (the admin
    follows it)."""
    operator = furnish()
    page = new_page(viewport={"width": 1280, "height": 900}, color_scheme=request.param)
    sign_in(page, operator)
    return page


@pytest.fixture
def stock(admin_page: Any) -> dict[str, dict[str, Any] | None]:
    admin_page.goto(USER_LIST)
    found = looks(admin_page)
    assert all(found.values()), found
    return found


@pytest.mark.parametrize(
    "name", ["panel", "confirm", "admin-log", "bypass-add", "bypass-created", "deliveries"]
)
def test_page_looks_like_the_stock_admin(admin_page: Any, stock: dict[str, Any], name: str) -> None:
    page = ADMIN_PAGES[name](admin_page)
    found = looks(page)
    differences = []
    for part, (_, compare_height) in PARTS.items():
        mine, theirs = found[part], stock[part]
        if mine is None:
            differences.append(f"{part}: missing")
            continue
        assert theirs is not None
        differences += [
            f"{part} {prop}: {mine[prop]!r}, the admin's {theirs[prop]!r}"
            for prop in PROPERTIES
            if mine[prop] != theirs[prop]
        ]
        if compare_height and abs(mine["height"] - theirs["height"]) > HEIGHT_SLACK:
            differences.append(
                f"{part} height: {mine['height']:.0f}px, the admin's {theirs['height']:.0f}px"
            )
    assert not differences, "\n".join(differences)


OVERLAPS = """() => {
    // The object tools (History) float at the top right of the content; whatever the
    // app puts in the content must sit below them, as a stock change page's form does.
    const tools = document.querySelector(".object-tools");
    if (!tools) {
        return ["no object tools"];
    }
    const box = tools.getBoundingClientRect();
    const sections = document.querySelectorAll("#content-main > *, #content > section, .mp-status");
    const overlapping = [];
    for (const element of sections) {
        if (element.contains(tools) || tools.contains(element)) {
            continue;
        }
        const other = element.getBoundingClientRect();
        const apart = other.right <= box.left || other.left >= box.right
            || other.bottom <= box.top || other.top >= box.bottom;
        if (!apart && other.height > 0) {
            overlapping.push(element.id || element.className || element.tagName);
        }
    }
    return overlapping;
}"""


def test_nothing_on_the_panel_runs_under_the_history_button(admin_page: Any) -> None:
    page = ADMIN_PAGES["panel"](admin_page)
    assert page.evaluate(OVERLAPS) == []
