"""Browser tests: Playwright driving Debian Chromium against pytest-django's live server.

They skip, saying why, where Playwright or Chromium is missing; with ``CI=true`` a
missing browser is a failure instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise
# refuse the ORM calls that fixtures make from that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "secret-password"


#: The modules that check how pages look (layout, accessibility, screenshots): what they
#: see does not depend on the database or the cache, so CI runs them once.
LOOK_MODULES = {
    "test_accessibility.py",
    "test_admin_look.py",
    "test_read_only_accessibility.py",
    "test_screenshots.py",
    "test_servers_look.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)
            if item.path.name in LOOK_MODULES:
                item.add_marker(pytest.mark.look)


def _unavailable(reason: str, *, module_level: bool = False) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


def require_playwright() -> None:
    """For a test module that imports Playwright: skip it (or fail under CI) without it."""
    if sync_playwright is None:
        _unavailable("the playwright package is not installed", module_level=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian Chromium, launched once for the browser tests.

    Package-scoped: Playwright's sync API keeps an event loop running in this thread
    while it is open, which async tests elsewhere in the run cannot share.
    """
    if sync_playwright is None:
        _unavailable("the playwright package is not installed")
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("Debian Chromium is not installed (no `chromium` on PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own cookies: its own visitor)."""
    contexts = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def log_in() -> Callable[[Page, Any, str], None]:
    """Log ``user`` in through the admin's login form, then open ``next_path``."""

    def log_in(page: Page, user: Any, next_path: str = "/admin/") -> None:
        page.goto(f"/admin/login/?next={next_path}")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**{next_path}")

    return log_in


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Page, Any], None]:
    """Give the page's browser a logged-in session of ``user`` (the demo site has no
    login page of its own, and the admin's only lets staff in)."""

    def sign_in(page: Page, user: Any) -> None:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in


@pytest.fixture
def operator(transactional_db: Any) -> Any:
    """A staff user who may change maintenance mode (and nothing else)."""
    from tests.factories import StaffFactory, grant

    user = StaffFactory(username="operator", password=PASSWORD)
    grant(user, "change_maintenanceconfig", "view_maintenanceconfig", "view_maintenancechange")
    return user


def wait_for_status(page: Page, path: str, status: int, attempts: int = 20) -> Any:
    """Open ``path`` until it answers ``status`` (the state applies within its TTL)."""
    response = None
    for _ in range(attempts):
        response = page.goto(path)
        if response is not None and response.status == status:
            return response
        page.wait_for_timeout(100)
    got = response.status if response is not None else None
    raise AssertionError(f"{path} answered {got}, expected {status}")
