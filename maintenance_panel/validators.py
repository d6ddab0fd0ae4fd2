"""Validation of the one-entry-per-line fields (IP networks, URL patterns).

The parsing is :mod:`maintenance_panel.matching`'s, so that what a form accepts is
exactly what the request path matches; this module words its refusals for an operator,
one message per bad line, naming the line, and one per limit of a list the text is past
(:mod:`maintenance_panel.matching.limits`), saying by how much. Any field of URL
patterns (``ignore_urls``, and any other list of patterns matched against the path)
uses :func:`validate_url_patterns`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, tzinfo
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from maintenance_panel import recurrence, rule_words
from maintenance_panel.matching import (
    InvalidLines,
    LineError,
    NetworkSet,
    Overrun,
    PatternSet,
    check_patterns,
    limits,
    split_lines,
)

__all__ = [
    "overrun_error",
    "parse_ip_lines",
    "parse_url_patterns",
    "schedule_errors",
    "split_lines",
    "validate_ip_lines",
    "validate_regex_lines",
    "validate_task_patterns",
    "validate_url_patterns",
]

#: What each construct RE2 refuses is called in an error message.
CONSTRUCT_NAMES = {
    "lookahead": pgettext_lazy("regex construct", "a lookahead, (?=…) or (?!…)"),
    "lookbehind": pgettext_lazy("regex construct", "a lookbehind, (?<=…) or (?<!…)"),
    "backreference": pgettext_lazy("regex construct", "a backreference, \\1 or (?P=name)"),
    "atomic_group": pgettext_lazy("regex construct", "an atomic group, (?>…)"),
    "possessive": pgettext_lazy("regex construct", "a possessive quantifier, such as *+ or ++"),
    "conditional": pgettext_lazy("regex construct", "a conditional group, (?(1)…|…)"),
    "comment": pgettext_lazy("regex construct", "a comment group, (?#…)"),
    "end_of_text": pgettext_lazy("regex construct", "\\Z (write \\z or $ instead)"),
    "unicode_escape": pgettext_lazy(
        "regex construct", "a \\u, \\U or \\N escape (write \\x{…} or the character itself)"
    ),
    "no_lower_bound": pgettext_lazy(
        "regex construct", "a repetition without its lower bound, {,n} (write {0,n})"
    ),
    "repetition_count": pgettext_lazy("regex construct", "a repetition count above 1000"),
    "flag": pgettext_lazy("regex construct", "this flag (only i, m, s and U are supported)"),
    "other": pgettext_lazy("regex construct", "a construct that needs backtracking"),
}


def _null_error(error: LineError) -> ValidationError:
    return ValidationError(
        _("Line %(number)s contains a null character; remove it."),
        code="null_character",
        params={"number": error.number},
    )


def _ip_error(error: LineError) -> ValidationError:
    if error.reason == "null_character":
        return _null_error(error)
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” is not an IP address or network "
            "(examples: 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)."
        ),
        code="invalid_ip",
        params={"number": error.number, "entry": error.entry},
    )


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _advice() -> str:
    return _(
        "Large repetition counts such as .{0,100} and Unicode classes such as \\p{L} "
        "compile to the most instructions; plain paths such as ^/shop/ compile to none."
    )


def _size_error(error: LineError) -> ValidationError:
    if error.reason == "too_long":
        return ValidationError(
            _(
                "Line %(number)s is %(length)s characters long; a URL pattern may have at "
                "most %(allowed)s (%(excess)s too many)."
            ),
            code="line_too_long",
            params={
                "number": error.number,
                "length": _count(len(error.entry)),
                "allowed": _count(limits.MAX_LINE_LENGTH),
                "excess": _count(len(error.entry) - limits.MAX_LINE_LENGTH),
            },
        )
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” compiles to more RE2 instructions than a whole "
            "list may have (%(allowed)s). %(advice)s"
        ),
        code="too_complex",
        params={
            "number": error.number,
            "entry": error.entry,
            "allowed": _count(limits.MAX_PROGRAM_SIZE),
            "advice": _advice(),
        },
    )


def _program_size_error(overrun: Overrun) -> ValidationError:
    if overrun.exact:
        message = _(
            "Together the regular expressions compile to %(actual)s RE2 instructions; at "
            "most %(allowed)s are allowed (%(excess)s too many). The largest is line "
            "%(line)s (%(size)s). %(advice)s"
        )
    else:
        message = _(
            "Together the regular expressions compile to more than %(actual)s RE2 "
            "instructions (counting stopped there); at most %(allowed)s are allowed (more "
            "than %(excess)s too many). The largest counted is line %(line)s (%(size)s). "
            "%(advice)s"
        )
    return ValidationError(
        message,
        code="too_complex",
        params={
            "actual": _count(overrun.actual),
            "allowed": _count(overrun.allowed),
            "excess": _count(overrun.excess),
            "line": overrun.largest_line,
            "size": _count(overrun.largest_size),
            "advice": _advice(),
        },
    )


def overrun_error(overrun: Overrun) -> ValidationError:
    """The refusal of a list past one of the limits: which, and by how much."""
    if overrun.limit == "program_size":
        return _program_size_error(overrun)
    messages = {
        "lines": _(
            "This list has %(actual)s lines; at most %(allowed)s are allowed (%(excess)s too many)."
        ),
        "characters": _(
            "This list has %(actual)s characters; at most %(allowed)s are allowed "
            "(%(excess)s too many)."
        ),
        "expressions": _(
            "This list has %(actual)s regular expressions; at most %(allowed)s are allowed "
            "(%(excess)s too many). Plain paths such as ^/shop/ or ^/healthz$ do not count."
        ),
    }
    return ValidationError(
        messages[overrun.limit],
        code=f"too_many_{overrun.limit}",
        params={
            "actual": _count(overrun.actual),
            "allowed": _count(overrun.allowed),
            "excess": _count(overrun.excess),
        },
    )


def _refusal(
    exc: InvalidLines, line_error: Callable[[LineError], ValidationError]
) -> ValidationError:
    return ValidationError(
        [line_error(error) for error in exc.errors]
        + [overrun_error(overrun) for overrun in exc.overruns]
    )


def _pattern_error(error: LineError) -> ValidationError:
    if error.reason == "null_character":
        return _null_error(error)
    if error.reason in {"too_long", "too_large"}:
        return _size_error(error)
    if error.reason == "syntax":
        return ValidationError(
            _("Line %(number)s: “%(entry)s” is not a valid regular expression (%(error)s)."),
            code="invalid_regex",
            params={"number": error.number, "entry": error.entry, "error": error.detail},
        )
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” uses %(construct)s, which is not supported: URL "
            "patterns are matched in linear time (RE2 syntax), so that no pattern can hang "
            "the site.%(detail)s"
        ),
        code="unsupported_regex",
        params={
            "number": error.number,
            "entry": error.entry,
            "construct": str(CONSTRUCT_NAMES.get(error.construct, CONSTRUCT_NAMES["other"])),
            "detail": (" " + _("RE2 says: %(error)s.") % {"error": error.detail})
            if error.detail
            else "",
        },
    )


def _task_pattern_error(error: LineError) -> ValidationError:
    if error.reason != "unsupported":
        return _pattern_error(error)
    return ValidationError(
        _(
            "Line %(number)s: “%(entry)s” uses %(construct)s, which is not supported: names "
            "of background work are matched in linear time (RE2 syntax), like URL patterns."
        ),
        code="unsupported_regex",
        params={
            "number": error.number,
            "entry": error.entry,
            "construct": str(CONSTRUCT_NAMES.get(error.construct, CONSTRUCT_NAMES["other"])),
        },
    )


def parse_ip_lines(text: str) -> NetworkSet:
    """The networks of a one-per-line text; raise ``ValidationError`` naming each bad line,
    or the limit of a list the text is past."""
    try:
        return NetworkSet.from_lines(text)
    except InvalidLines as exc:
        raise _refusal(exc, _ip_error) from None


def parse_url_patterns(text: str) -> PatternSet:
    """The patterns of a one-per-line text; raise ``ValidationError`` naming each line
    that is not a regular expression RE2 matches in linear time, and why, and each limit
    of a list the text is past."""
    validate_url_patterns(text)
    return PatternSet.from_lines(text, skip_invalid=True)


def validate_ip_lines(text: str) -> None:
    """Model-field validator for ``ignore_ip_addresses``."""
    parse_ip_lines(text)


def validate_url_patterns(text: str) -> None:
    """Model-field validator for any field of URL patterns, one per line.

    It checks without building the matcher: the process that saves builds it once, when
    it installs the new state.
    """
    try:
        check_patterns(text)
    except InvalidLines as exc:
        raise _refusal(exc, _pattern_error) from None


def validate_task_patterns(text: str) -> None:
    """Model-field validator for ``ignore_tasks``: one regular expression per line,
    matched against the name of a task or command, with the limits of a URL list."""
    try:
        check_patterns(text)
    except InvalidLines as exc:
        raise _refusal(exc, _task_pattern_error) from None


def validate_regex_lines(text: str) -> None:
    """Model-field validator for ``ignore_urls`` (the name the migrations know)."""
    validate_url_patterns(text)


# -- the repeated window ----------------------------------------------------------------


def duration_problem(duration: timedelta | None, *, required: bool) -> str | None:
    """What is wrong with a duration of occurrences, or None."""
    if duration is None:
        return _("Say how long each window lasts, e.g. 1:00:00 for one hour.") if required else None
    if duration <= timedelta(0):
        return _("Each window must last longer than zero.")
    if duration > recurrence.MAX_DURATION:
        return _("Each window may last %(most)s at most.") % {
            "most": rule_words.duration_text(recurrence.MAX_DURATION)
        }
    return None


def overlap_problem(rule: recurrence.Rule, duration: timedelta | None, zone: tzinfo) -> str | None:
    """Refuses a duration at least as long as the shortest gap between two starts of the
    rule (over its next hundred starts): each window must end before the next opens."""
    if duration is None:
        return None
    starts = [
        recurrence.start_of(w)
        for w in recurrence.occurrences(rule, timedelta(0), zone, timezone.now(), 100)
    ]
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    shortest = min(gaps, default=None)
    if shortest is not None and duration >= shortest:
        return _(
            "Each window must end before the next one opens: this rule opens one every "
            "%(gap)s at the shortest."
        ) % {"gap": rule_words.duration_text(shortest)}
    return None


def schedule_errors(
    text: str, duration: timedelta | None, notice: timedelta | None, zone: tzinfo
) -> tuple[str, dict[str, ValidationError]]:
    """The rule as stored (as :func:`recurrence.parse` writes it) and the errors of the
    rule, its duration and the advance notice, by field."""
    errors: dict[str, ValidationError] = {}
    rule = None
    if text:
        try:
            rule = recurrence.parse(text)
            text = rule.text
        except recurrence.RuleError as exc:
            errors["recurrence"] = ValidationError(str(exc), code="invalid_rule")
    problem = duration_problem(duration, required=bool(text))
    if problem is None and rule is not None:
        problem = overlap_problem(rule, duration, zone)
    if problem is not None:
        errors["recurrence_duration"] = ValidationError(problem, code="invalid_duration")
    if notice is not None and not timedelta(0) <= notice <= recurrence.MAX_NOTICE:
        errors["announce_before"] = ValidationError(
            _("Announce a window between 0 and %(most)s before it opens.")
            % {"most": rule_words.duration_text(recurrence.MAX_NOTICE)},
            code="invalid_notice",
        )
    return text, errors
