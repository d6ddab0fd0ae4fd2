"""Checks of the list settings: IP addresses and networks, URL patterns, the scope."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from maintenance_panel import conf, matching


def _list_setting(name: str) -> tuple[list[Any], list[CheckMessage]]:
    value = conf.get(name)
    if value is None:
        return [], []
    if isinstance(value, list | tuple | set | frozenset):
        return [entry if isinstance(entry, re.Pattern) else str(entry) for entry in value], []
    return [], [
        Error(
            f"{name} must be a list or tuple, not {type(value).__name__}; a string would be "
            "read character by character.",
            hint=f"Write {name} = [{value!r}].",
            id="maintenance_panel.E004",
        )
    ]


@register(Tags.compatibility)
def check_list_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E004: not a list; E005: an IP entry that is neither address nor network;
    E006: a URL entry (exemption or scope) that is not a regular expression; W008: a
    URL entry that only Python's backtracking ``re`` accepts."""
    messages: list[CheckMessage] = []
    entries, errors = _list_setting(f"{conf.PREFIX}_IGNORE_IP_ADDRESSES")
    messages += errors
    for entry in entries:
        try:
            matching.parse_network(str(entry))
        except ValueError:
            messages.append(
                Error(
                    f"MAINTENANCE_MODE_IGNORE_IP_ADDRESSES: {entry!r} is not an IP address "
                    "or CIDR network.",
                    hint="Use addresses or networks such as '203.0.113.7' or '10.0.0.0/8' "
                    "(regular expressions are not supported).",
                    id="maintenance_panel.E005",
                )
            )
    messages += url_setting_messages(f"{conf.PREFIX}_IGNORE_URLS")
    messages += url_setting_messages(f"{conf.PREFIX}_SCOPE_URLS")
    return messages


def url_setting_messages(name: str) -> list[CheckMessage]:
    """E004, E006 and W008 for list setting ``name`` of URL patterns."""
    entries, messages = _list_setting(name)
    for entry in entries:
        if isinstance(entry, re.Pattern):
            continue  # compiled by the project itself: matched with Python's re, as given
        problem = matching.check_pattern(entry)
        if problem is None:
            continue
        if problem.reason == "unsupported":
            why = problem.detail or problem.construct
            messages.append(
                Warning(
                    f"{name}: {entry!r} is matched with Python's backtracking re, not in "
                    f"linear time: RE2 does not support it ({why}).",
                    hint="Rewrite it in RE2 syntax (see the README, 'URL patterns'), or "
                    "make sure it cannot take exponential time on a hostile path.",
                    id="maintenance_panel.W008",
                )
            )
            continue
        try:
            matching.compile_python(entry)
        except ValueError as exc:
            messages.append(
                Error(
                    f"{name}: {entry!r} is not a regular expression ({exc}).",
                    hint="Fix the pattern; it is matched with re.match against the path.",
                    id="maintenance_panel.E006",
                )
            )
    return messages
