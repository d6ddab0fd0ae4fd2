"""``override_maintenance_mode``: force maintenance mode in a test.

Import it from :mod:`maintenance_panel.core`. It only fixes a setting, so it sits below
the API that offers it.
"""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase
from django.test.utils import override_settings

from maintenance_panel.values import check_bool


class override_maintenance_mode(override_settings):  # lower case: used like a function
    """Force maintenance mode on or off in a test.

    A context manager (``with`` or ``async with``), or a decorator of sync and async
    test functions, of Django test case classes and of plain (pytest) test classes.
    It fixes the state the way ``MAINTENANCE_MODE`` does, so the rest (exemptions,
    response) works as configured. ``read_only`` fixes the level the way
    ``MAINTENANCE_MODE_READ_ONLY`` does, and ``scope`` (a list of regular expressions)
    adds to the scope the way ``MAINTENANCE_MODE_SCOPE_URLS`` does.
    """

    def __init__(
        self,
        value: bool,
        *,
        read_only: bool | None = None,
        scope: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        check_bool(value, "value")
        fixed: dict[str, Any] = {"MAINTENANCE_MODE": value}
        if read_only is not None:
            check_bool(read_only, "read_only")
            fixed["MAINTENANCE_MODE_READ_ONLY"] = read_only
        if scope is not None:
            fixed["MAINTENANCE_MODE_SCOPE_URLS"] = list(scope)
        super().__init__(**fixed)

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        self.__exit__(*exc_info)

    def decorate_class(self, cls: type) -> type:
        if issubclass(cls, SimpleTestCase):
            return super().decorate_class(cls)
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, self.decorate_callable(attribute))
        return cls
