"""The command line of ``manage.py maintenance_mode``: its words, options and usage.

:func:`add_arguments` builds the parser; :func:`convert_keyword_options` converts the
options ``call_command()`` passes by keyword (which skip the parser) as the parser
converts typed ones; :func:`refuse_misplaced` refuses an option given with a word that
does not take it, with the usage, so that a typo never goes unnoticed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser

from maintenance_panel.management.times import (
    DURATION_EXAMPLES,
    TIME_EXAMPLES,
    duration,
    moment,
    rule,
    seconds,
    text,
)
from maintenance_panel.models.tokens import SCOPES
from maintenance_panel.values import InvalidValue, to_moment

#: The words the command takes, the older library's included, and what they mean.
WORDS: dict[str, str] = {
    **dict.fromkeys(("on", "yes", "true", "1"), "on"),
    **dict.fromkeys(("off", "no", "false", "0"), "off"),
    "status": "status",
    "wait": "wait",
    "render": "render",
    "bypass": "bypass",
    "token": "token",
    "exec": "exec",
    "tick": "tick",
}
#: How long --wait waits by default (seconds).
DEFAULT_TIMEOUT = 30.0
USAGE = (
    "  maintenance_mode on [--start TIME] [--end TIME] [--title TEXT] [--message TEXT]\n"
    "                      [--read-only | --full] [--scope PATTERN ... | --whole-site]\n"
    "                      [--every RULE --for DURATION | --no-repeat]\n"
    "                      [--wait [--timeout SECONDS]] [--interactive]\n"
    "  maintenance_mode off [--wait [--timeout SECONDS]] [--interactive]\n"
    "  maintenance_mode status [--json]\n"
    "  maintenance_mode wait [--timeout SECONDS]\n"
    "  maintenance_mode render [--output PATH]\n"
    "  maintenance_mode bypass create NAME [--expires TIME]\n"
    "  maintenance_mode bypass revoke NAME\n"
    "  maintenance_mode bypass list\n"
    "  maintenance_mode token create NAME [--scopes read,switch] [--expires TIME]\n"
    "  maintenance_mode token revoke NAME\n"
    "  maintenance_mode token list\n"
    "  maintenance_mode exec [--even-in-maintenance] NAME [ARGS ...]"
    "  maintenance_mode tick"
)
#: The options each word takes; any other one given is refused with the usage.
OPTIONS_OF = {
    "on": (
        "start",
        "end",
        "title",
        "message",
        "read_only",
        "scope",
        "whole_site",
        "every",
        "for_",
        "no_repeat",
        "json",
        "wait",
        "timeout",
        "interactive",
    ),
    "off": ("json", "wait", "timeout", "interactive"),
    "status": ("json",),
    "wait": ("timeout",),
    "render": ("output",),
    "bypass": ("expires", "base_url", "json"),
    "token": ("expires", "scopes", "json"),
    "exec": ("even_in_maintenance",),
    "tick": (),
}


def scopes(text: str) -> tuple[str, ...]:
    """argparse type: API token scopes separated by commas, e.g. ``read,switch``."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of scopes; type read, switch or read,switch"
        )
    return chosen


def state_word(text: str) -> str:
    """argparse type: ``on/yes/true/1``, ``off/no/false/0``, ``status``, ``wait``,
    ``render``, ``bypass``, ``token``, ``exec`` or ``tick``."""
    try:
        return WORDS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"unknown word {text!r}; type on (or yes, true, 1), off (or no, false, 0), "
            "status, wait, render, bypass, token, exec, or tick"
        ) from None


def add_arguments(parser: CommandParser) -> None:
    """Every argument and option of the command."""
    parser.add_argument(
        "state",
        type=state_word,
        metavar="on|off|status|wait|render|bypass|token|exec|tick",
        help="on (or yes, true, 1), off (or no, false, 0), status, wait, render, bypass, "
        "token, exec, or tick.",
    )
    parser.add_argument(
        "args",
        nargs="*",
        type=text,
        metavar="create|revoke|list NAME",
        help="With bypass or token: create NAME, revoke NAME, or list. With exec: the command "
        "NAME and its ARGS, passed on unchanged.",
    )
    parser.add_argument(
        "--even-in-maintenance",
        action="store_true",
        help="With exec (before NAME): run the command whatever the state of maintenance.",
    )
    _add_switch_options(parser)
    _add_repeat_options(parser)
    _add_deploy_options(parser)
    parser.add_argument(
        "--expires",
        type=moment,
        metavar="TIME",
        help="With bypass create or token create: when the link or token stops working.",
    )
    parser.add_argument(
        "--scopes",
        type=scopes,
        metavar="read,switch",
        help="With token create: what the token may do: read (the state), switch "
        "(maintenance mode), or both (the default).",
    )
    parser.add_argument(
        "--base-url",
        default="",
        metavar="URL",
        help="With bypass create: print the link as a full URL, e.g. https://example.com.",
    )
    parser.add_argument("--json", action="store_true", help="Print JSON, for scripts.")


def _add_switch_options(parser: CommandParser) -> None:
    parser.add_argument(
        "--start", type=moment, metavar="TIME", help=f"With on: when, {TIME_EXAMPLES}."
    )
    parser.add_argument(
        "--end", type=moment, metavar="TIME", help="With on: when the site comes back."
    )
    parser.add_argument(
        "--title", type=text, metavar="TEXT", help="With on: the heading of the maintenance page."
    )
    parser.add_argument("--message", type=text, metavar="TEXT", help="With on: what visitors read.")
    level = parser.add_mutually_exclusive_group()
    level.add_argument(
        "--read-only",
        dest="read_only",
        action="store_const",
        const=True,
        help="With on: read-only maintenance: the site stays readable, changes get "
        "the maintenance page.",
    )
    level.add_argument(
        "--full",
        dest="read_only",
        action="store_const",
        const=False,
        help="With on: full maintenance (back from --read-only).",
    )
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "--scope",
        action="append",
        type=text,
        metavar="PATTERN",
        help="With on: only URLs matching this regular expression (matched against "
        "the start of the path, e.g. ^/checkout/) are under maintenance; repeat it "
        "for several.",
    )
    scope.add_argument(
        "--whole-site",
        action="store_true",
        help="With on: clear the scope: the whole site is under maintenance.",
    )


def _add_repeat_options(parser: CommandParser) -> None:
    repeat = parser.add_mutually_exclusive_group()
    repeat.add_argument(
        "--every",
        type=rule,
        metavar="RULE",
        help="With on: repeat the window by this RFC 5545 RRULE, in wall-clock time of "
        "MAINTENANCE_MODE_TIME_ZONE, e.g. 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2' (every Sunday "
        "at 02:00); goes with --for.",
    )
    repeat.add_argument(
        "--no-repeat",
        action="store_true",
        help="With on: stop repeating (clear the rule).",
    )
    parser.add_argument(
        "--for",
        dest="for_",
        type=duration,
        metavar="DURATION",
        help=f"With on: how long each repeated window lasts, {DURATION_EXAMPLES}.",
    )


def _add_deploy_options(parser: CommandParser) -> None:
    parser.add_argument(
        "--wait",
        action="store_true",
        help="With on/off: return once every process seen recently applies the "
        "change (fails naming those that do not).",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        metavar="SECONDS",
        help=f"With --wait or wait: give up after this long (default {DEFAULT_TIMEOUT:g}).",
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="With on/off: ask for confirmation (y/N) before switching, as "
        "django-maintenance-mode does.",
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        help="With render: write the page to this file (atomically) instead of stdout.",
    )


#: The converters of the options that take a value (``--name`` -> its argparse type).
CONVERTERS: dict[str, Callable[[str], Any]] = {
    "start": moment,
    "end": moment,
    "expires": moment,
    "title": text,
    "message": text,
    "scope": text,
    "timeout": seconds,
    "every": rule,
    "for_": duration,
}


def convert_keyword_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with those given to ``call_command()`` by keyword converted as the
    parser converts typed ones (``call_command(..., end="2026-11-25T02:00")`` passes
    the string as it is): strings through the option's type, datetimes made aware
    (naive ones are read in the current time zone), numbers of seconds checked. Raises
    ``CommandError`` naming the option for a value the parser would refuse."""
    converted = dict(options)
    for name, convert in CONVERTERS.items():
        value = options.get(name)
        if value is None:
            continue
        try:
            converted[name] = _converted(value, convert)
        except (argparse.ArgumentTypeError, InvalidValue) as exc:
            problem = " ".join(exc.messages) if isinstance(exc, InvalidValue) else str(exc)
            flag = "--" + name.rstrip("_").replace("_", "-")
            raise CommandError(f"{flag}: {problem}") from None
    return converted


def _converted(value: Any, convert: Callable[[str], Any]) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, list | tuple):  # a repeatable option (--scope)
        return [_converted(item, convert) for item in value]
    if isinstance(value, datetime) and convert is moment:
        return to_moment(value, name="time")
    if isinstance(value, int | float) and convert is seconds:
        return seconds(str(value))
    return value


def refuse_misplaced(word: str, args: tuple[str, ...], options: dict[str, Any]) -> None:
    """Raise ``CommandError`` (with the usage) for an option or argument that ``word``
    does not take."""
    allowed = OPTIONS_OF[word]
    for name in dict.fromkeys(n for names in OPTIONS_OF.values() for n in names):
        given = options.get(name) is not None if name == "read_only" else options.get(name)
        if given and name not in allowed:
            if name == "read_only":
                name = "read_only" if options[name] else "full"
            flag = "--" + name.rstrip("_").replace("_", "-")
            raise CommandError(f"{flag} does not go with `{word}`. Usage:\n{USAGE}")
    if options.get("timeout") and word in {"on", "off"} and not options.get("wait"):
        raise CommandError(
            f"--timeout goes with --wait: `maintenance_mode {word} --wait --timeout 60`."
        )
    if args and word not in {"bypass", "token", "exec"}:
        raise CommandError(f"Unexpected {' '.join(args)!r} after `{word}`. Usage:\n{USAGE}")
