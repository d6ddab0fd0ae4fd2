"""Checks of the list settings: IP addresses and networks, URL patterns, the scope, the
names of background work that keeps running."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from maintenance_panel import conf, matching
from maintenance_panel.matching import InvalidLines, LineError, Overrun, limits

#: How to bring a list back within the limits of a list.
LIMITS_HINT = (
    "Shorten the list: plain paths such as '^/shop/' cost nothing, repetition counts such "
    "as '.{0,100}' and Unicode classes such as '\\p{L}' cost the most. The limits keep "
    "building a list below 100 ms and 50 MB per process (docs/performance.md, 'Limits "
    "of the lists')."
)


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
    URL entry that only Python's backtracking ``re`` accepts; E013: a list past one of
    the limits of a list (the entries past it are ignored)."""
    name = f"{conf.PREFIX}_IGNORE_IP_ADDRESSES"
    entries, messages = _list_setting(name)
    numbered = [(number, str(entry)) for number, entry in enumerate(entries, start=1)]
    overrun = limits.text_overrun(numbered)
    if overrun is not None:
        messages.append(overrun_message(name, overrun))
    for _, entry in limits.within_text_limits(numbered):
        try:
            matching.parse_network(entry)
        except ValueError:
            messages.append(
                Error(
                    f"{name}: {entry!r} is not an IP address or CIDR network.",
                    hint="Use addresses or networks such as '203.0.113.7' or '10.0.0.0/8' "
                    "(regular expressions are not supported).",
                    id="maintenance_panel.E005",
                )
            )
    messages += url_setting_messages(f"{conf.PREFIX}_IGNORE_URLS")
    messages += url_setting_messages(f"{conf.PREFIX}_SCOPE_URLS")
    messages += url_setting_messages(f"{conf.PREFIX}_IGNORE_TASKS", subject="the name")
    return messages


def url_setting_messages(name: str, subject: str = "the path") -> list[CheckMessage]:
    """E004, E006, W008 and E013 for list setting ``name`` of patterns matched against
    ``subject`` (URL patterns, or names of background work)."""
    entries, messages = _list_setting(name)
    try:
        matching.check_patterns(entries)
    except InvalidLines as exc:
        messages += [m for error in exc.errors if (m := _entry_message(name, error, subject))]
        messages += [overrun_message(name, overrun) for overrun in exc.overruns]
    return messages


def _entry_message(name: str, error: LineError, subject: str) -> CheckMessage | None:
    entry = error.entry
    if error.reason == "unsupported":
        return Warning(
            f"{name}: {entry!r} is matched with Python's backtracking re, not in "
            f"linear time: RE2 does not support it ({error.detail or error.construct}).",
            hint="Rewrite it in RE2 syntax (see the README, 'URL patterns'), or "
            f"make sure it cannot take exponential time on a hostile {subject[4:]}.",
            id="maintenance_panel.W008",
        )
    if error.reason == "too_long":
        return Error(
            f"{name}: entry {error.number} ({entry[:40]!r}...) is {len(entry):,} characters "
            f"long; an entry may have at most {limits.MAX_LINE_LENGTH:,} "
            f"({len(entry) - limits.MAX_LINE_LENGTH:,} too many). It is ignored.",
            hint=LIMITS_HINT,
            id="maintenance_panel.E013",
        )
    if error.reason == "too_large":
        return Error(
            f"{name}: {entry!r} compiles to more RE2 instructions than a whole list may "
            f"have ({limits.MAX_PROGRAM_SIZE:,}). It is ignored, and so are the regular "
            "expressions after it.",
            hint=LIMITS_HINT,
            id="maintenance_panel.E013",
        )
    try:
        matching.compile_python(entry)
    except ValueError as exc:
        return Error(
            f"{name}: {entry!r} is not a regular expression ({exc}).",
            hint=f"Fix the pattern; it is matched with re.match against {subject}.",
            id="maintenance_panel.E006",
        )
    return None  # a null character: Python's re matches it


def overrun_message(name: str, overrun: Overrun) -> CheckMessage:
    """E013: list setting ``name`` is past ``overrun``'s limit, and by how much."""
    more = "" if overrun.exact else "more than "
    figures = (
        f"{more}{overrun.actual:,}; at most {overrun.allowed:,} are used "
        f"({more}{overrun.excess:,} too many)"
    )
    what = {
        "lines": f"{name} has {figures.replace('; ', ' entries; ', 1)}",
        "characters": f"{name} has {figures.replace('; ', ' characters; ', 1)}",
        "expressions": f"{name} has {figures.replace('; ', ' regular expressions; ', 1)} "
        "(plain paths do not count)",
        "program_size": f"{name}: its regular expressions compile to "
        f"{figures.replace('; ', ' RE2 instructions; ', 1)}, the largest being entry "
        f"{overrun.largest_line} ({overrun.largest_size:,})",
    }[overrun.limit]
    return Error(
        f"{what}. The entries past the limit are ignored.",
        hint=LIMITS_HINT,
        id="maintenance_panel.E013",
    )
