"""The list settings as matchers: ``MAINTENANCE_MODE_IGNORE_IP_ADDRESSES``,
``MAINTENANCE_MODE_IGNORE_URLS``, ``MAINTENANCE_MODE_SCOPE_URLS`` and
``MAINTENANCE_MODE_IGNORE_TASKS``.

Each is built once per process (threads that ask at once wait for one build) and again
after a ``setting_changed`` of any ``MAINTENANCE_MODE_*`` setting; entries that cannot be
used are skipped (the system checks name them), never raised on a request.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

from django.core.signals import setting_changed
from django.dispatch import receiver

from maintenance_panel.conf import PREFIX, get
from maintenance_panel.matching import LeftOut, NetworkSet, PatternSet

logger = logging.getLogger("maintenance_panel")

Matcher = TypeVar("Matcher", NetworkSet, PatternSet)


def _as_list(name: str) -> list[str]:
    value = get(name)
    if isinstance(value, str):
        # A string where a list is meant is a system-check error; read it as one entry
        # rather than character by character in the meantime.
        return [value]
    return [str(entry) for entry in value or ()]


def url_entries(name: str) -> list[str | re.Pattern[str]]:
    """List setting ``name`` of URL patterns as given: strings, and compiled Python
    patterns (as django-maintenance-mode allowed), kept as they are."""
    value = get(name)
    if isinstance(value, str | re.Pattern):
        return [value]
    return [entry if isinstance(entry, re.Pattern) else str(entry) for entry in value or ()]


#: Held while a setting's matcher is built; :data:`_BUILT` keeps what was built, so that
#: threads that ask at once (the first requests of a process) build it once.
_BUILDING = threading.Lock()
_BUILT: dict[str, NetworkSet | PatternSet] = {}


def _built_once(name: str, build: Callable[[], Matcher]) -> Matcher:
    """``build()``, the matcher of list setting ``name``, once per process (and per
    settings change); what it leaves out past the limits of a list is logged once (check
    E013 names it)."""
    with _BUILDING:
        built = _BUILT.get(name)
        if built is None:
            built = _BUILT[name] = build()
            left_out = built.left_out
            if left_out.past_limits:
                past = LeftOut(0, left_out.past_limits, left_out.limits)
                logger.error(
                    "maintenance_panel: %s; see check maintenance_panel.E013",
                    past.describe(f"entry(ies) of {name}"),
                )
        return cast(Matcher, built)


@cache
def ignored_networks() -> NetworkSet:
    """Networks from ``MAINTENANCE_MODE_IGNORE_IP_ADDRESSES``; entries that are not
    networks (E005) or past the limits (E013) are skipped, never raised on a request."""
    name = f"{PREFIX}_IGNORE_IP_ADDRESSES"
    return _built_once(name, lambda: NetworkSet.from_lines(_as_list(name), skip_invalid=True))


@cache
def ignored_url_patterns() -> PatternSet:
    """``MAINTENANCE_MODE_IGNORE_URLS``, matched by RE2 where it accepts the pattern and
    by Python's ``re`` otherwise (check W008 names those); unusable entries are skipped
    (check E006 names them), and so are those past the limits of a list (E013)."""
    name = f"{PREFIX}_IGNORE_URLS"
    return _built_once(name, lambda: PatternSet.from_settings(url_entries(name)))


@cache
def scope_url_patterns() -> PatternSet:
    """``MAINTENANCE_MODE_SCOPE_URLS`` (the admin's scope adds to them), matched as
    ``MAINTENANCE_MODE_IGNORE_URLS`` is (W008, E006, E013)."""
    name = f"{PREFIX}_SCOPE_URLS"
    return _built_once(name, lambda: PatternSet.from_settings(url_entries(name)))


def scope_url_entries() -> list[str]:
    """``MAINTENANCE_MODE_SCOPE_URLS`` as written (for reports)."""
    return list(scope_url_patterns().sources)


@cache
def ignored_task_patterns() -> PatternSet:
    """``MAINTENANCE_MODE_IGNORE_TASKS``: names of background work that runs during
    maintenance (``re.match``; the admin's ``ignore_tasks`` adds), read as IGNORE_URLS."""
    name = f"{PREFIX}_IGNORE_TASKS"
    return _built_once(name, lambda: PatternSet.from_settings(url_entries(name)))


_MEMOIZED = (ignored_networks, ignored_url_patterns, scope_url_patterns, ignored_task_patterns)


def clear_memoized() -> None:
    """Forget every matcher built (called when a setting of this app changes)."""
    for function in _MEMOIZED:
        function.cache_clear()
    with _BUILDING:
        _BUILT.clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX):
        clear_memoized()
