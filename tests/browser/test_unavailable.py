"""Without a browser the browser tests skip, except under CI, where they fail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import _unavailable


def test_missing_browser_skips_outside_ci(monkeypatch: Any) -> None:
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="no `chromium`"):
        _unavailable("Debian Chromium is not installed (no `chromium` on PATH)")


def test_missing_browser_fails_under_ci(monkeypatch: Any) -> None:
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        _unavailable("Debian Chromium is not installed (no `chromium` on PATH)")
