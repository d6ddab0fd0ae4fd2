"""One URL pattern on its own: is it RE2 syntax, is it a plain path, how large is it.

RE2 refuses what needs backtracking (lookarounds, backreferences...); the
:data:`CONSTRUCTS` say which construct a refusal is about. A *plain path* needs no
engine at all; an *expression* (any other pattern) is measured by its *program size*,
the number of instructions RE2 compiles it to (see
:mod:`~maintenance_panel.matching.limits`).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import re2
from re2 import _re2

from maintenance_panel.matching.limits import MAX_PROGRAM_SIZE
from maintenance_panel.matching.lines import LineError

#: The constructs of Python's ``re`` that RE2 refuses (they need backtracking), as RE2
#: reports them: the start of its message's quoted part -> a name.
CONSTRUCTS: tuple[tuple[str, str], ...] = (
    ("(?=", "lookahead"),
    ("(?!", "lookahead"),
    ("(?<=", "lookbehind"),
    ("(?<!", "lookbehind"),
    ("(?P=", "backreference"),
    ("(?>", "atomic_group"),
    ("(?(", "conditional"),
    ("(?#", "comment"),
    ("\\Z", "end_of_text"),
)
#: ``{,n}``, unescaped: Python's ``re`` reads "0 to n times", RE2 the literal text.
_NO_LOWER_BOUND = re.compile(r"(?:^|[^\\])(?:\\\\)*\{,\d+\}")
_OPERATOR = re.compile(r"^(?:invalid perl operator|invalid escape sequence): (?P<what>.*)$", re.S)
_POSSESSIVE = re.compile(r"^bad repetition operator: .*[*+?}]\+$", re.S)
_TOO_LARGE = "pattern too large"

#: The RE2 options of one pattern compiled alone: room for about twice the program size
#: a whole list may use (RE2 gives a pattern about ``max_mem / 12`` instructions; a test
#: checks that a pattern of the whole limit fits), so that a pattern RE2 refuses as too
#: large is past the limit whatever the rest of the list, and finding that out costs
#: little; errors are raised, not logged to stderr.
PATTERN_OPTIONS = re2.Options()
PATTERN_OPTIONS.log_errors = False
PATTERN_OPTIONS.max_mem = 24 * MAX_PROGRAM_SIZE

#: A pattern that is a plain path: an optional ``^``, characters that stand for
#: themselves in both engines, an optional ``$``. Most lists are mostly such lines
#: (``^/healthz$``, ``^/shop/``); they need no regular expression engine at all.
PLAIN = re.compile(r"\^?([A-Za-z0-9/_~%,;=@!&:'-]*)(\$?)", re.ASCII)


def _compiled(pattern: str) -> Any:
    """RE2's compiled ``pattern`` (raise ``re2.error``).

    ``re2.compile`` would keep the last 128 patterns in its module cache, each up to
    ``max_mem``, and its handling of the options costs twice what RE2 takes for a short
    pattern; checking a list compiles each line once and keeps nothing, so the binding
    under ``re2.compile`` is called directly.
    """
    regexp = _re2.RE2(pattern.encode("utf-8", "surrogatepass"), PATTERN_OPTIONS)
    if not regexp.ok():
        raise re2.error(regexp.error())
    return regexp


def _message(error: re2.error) -> str:
    message = error.args[0] if error.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message)


def _construct(pattern: str, message: str) -> str:
    """The unsupported construct RE2's ``message`` is about, or "" when it is a plain
    syntax error."""
    if message.startswith("invalid repetition size"):
        return "repetition_count"
    if _POSSESSIVE.match(message):
        return "possessive"
    operator = _OPERATOR.match(message)
    if operator is None:
        return ""
    what = operator.group("what")
    if what == "(?P" and "(?P=" in pattern:
        what = "(?P="
    for start, name in CONSTRUCTS:
        if what.startswith(start):
            return name
    if re.fullmatch(r"\\[1-9]", what):
        return "backreference"
    if re.fullmatch(r"\\[uUN]", what):
        return "unicode_escape"
    if what.startswith("(?"):
        return "flag"
    return ""


def compile_python(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled by Python's ``re``; raise ``ValueError`` when it is not a
    regular expression for it."""
    with warnings.catch_warnings():
        # "Possible nested set" and the like: a hint for a programmer, not an operator.
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:  # the last two: too deep
            raise ValueError(str(exc)) from None


def check_pattern(pattern: str) -> LineError | None:
    """None when RE2 accepts ``pattern``, else why not (line number 0: the caller's).

    ``"too_large"``: valid, but larger than a whole list may compile to.
    """
    if "\x00" in pattern:
        return LineError(0, pattern, "null_character")
    if _NO_LOWER_BOUND.search(pattern):
        # Both engines accept it but disagree on what it means: refuse rather than
        # match something else than the operator wrote.
        return LineError(0, pattern, "unsupported", construct="no_lower_bound")
    try:
        _compiled(pattern)
    except re2.error as exc:
        message = _message(exc)
        if message.startswith(_TOO_LARGE):
            return LineError(0, pattern, "too_large")
        try:
            compile_python(pattern)
        except ValueError:
            return LineError(0, pattern, "syntax", detail=message)
        construct = _construct(pattern, message) or "other"
        return LineError(0, pattern, "unsupported", construct=construct, detail=message)
    return None


def program_size(pattern: str) -> int | None:
    """The instructions ``pattern`` adds to an RE2 set; None when it is larger than a
    pattern may compile to alone (:data:`PATTERN_OPTIONS`). Raise ``ValueError`` when
    it is not RE2 syntax."""
    try:
        # In a group: alone, RE2 sets a leading literal (``^/shop/...``) apart and does
        # not count it, but a set compiles it like the rest.
        return int(_compiled(f"({pattern})").ProgramSize())
    except re2.error as exc:
        if _message(exc).startswith(_TOO_LARGE):
            return None
    # A group cannot close it (an unterminated \Q...): count every byte as a literal.
    try:
        alone = _compiled(pattern).ProgramSize()
    except re2.error as exc:
        if _message(exc).startswith(_TOO_LARGE):
            return None
        raise ValueError(_message(exc)) from None
    return int(alone) + len(pattern.encode("utf-8", "surrogatepass"))
