"""How large a list may be, so that building its matcher stays cheap.

Every process builds the matcher of each list once per change (of the settings' lists,
once per start): RE2 compiles the URL patterns, the networks are parsed. These limits
keep that below 100 ms and 50 MB for the worst list they admit; ``bench/pattern_limits.py``
measures it, and docs/performance.md ("Limits of the lists") gives the figures.

An *expression* is a URL pattern that is not a plain path: ``^/healthz$`` and ``^/shop/``
are plain paths (set lookups, no regular expression engine), ``^/api/v\\d+/`` is an
expression. The *program size* of an expression is the number of instructions RE2
compiles it to: it grows with repetition counts (``.{0,100}`` is about 900) and Unicode
classes (``\\p{L}`` alone is about 1,200).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

#: An entry of a list: a line of text, or (in a setting) a compiled Python pattern.
Entry = TypeVar("Entry", bound="str | re.Pattern[str]")

#: Lines (entries) of one list: IP addresses and networks, or URL patterns.
MAX_LINES = 10_000
#: Characters of one list, all its lines together.
MAX_CHARACTERS = 500_000
#: Characters of one URL pattern: RE2 expands a long pattern's repetitions before it can
#: tell how large it is, so a line is refused before that.
MAX_LINE_LENGTH = 1_000
#: Expressions (URL patterns that are not plain paths) of one list.
MAX_EXPRESSIONS = 500
#: RE2 program size of the expressions of one list, added up.
MAX_PROGRAM_SIZE = 30_000
#: Checking a list stops once its lines compiled to this many instructions (a line RE2
#: refuses as too large counts twice the limit), so that refusing a list far past the
#: program size limit costs little more than building an admitted one.
COUNT_PROGRAM_SIZE_UP_TO = 4 * MAX_PROGRAM_SIZE


@dataclass(frozen=True, slots=True)
class Overrun:
    """A list past one of the limits: which, by how much, and where."""

    #: ``"lines"``, ``"characters"``, ``"expressions"`` or ``"program_size"`` (one line
    #: too long is a :class:`~maintenance_panel.matching.LineError` of its own).
    limit: str
    allowed: int
    #: The list's figure; for ``"program_size"`` a lower bound when not :attr:`exact`.
    actual: int
    #: False when counting stopped (at :data:`COUNT_PROGRAM_SIZE_UP_TO`).
    exact: bool = True
    #: For ``"program_size"``: the line of the largest expression, and its size.
    largest_line: int = 0
    largest_size: int = 0

    @property
    def excess(self) -> int:
        """How far past the limit (at least, when not :attr:`exact`)."""
        return self.actual - self.allowed

    def __str__(self) -> str:
        more = "" if self.exact else "more than "
        return f"{self.limit}: {more}{self.actual}, limit {self.allowed}"


def length(entry: str | re.Pattern[str]) -> int:
    """Characters of an entry (of a compiled pattern: of its source)."""
    return len(entry.pattern) if isinstance(entry, re.Pattern) else len(entry)


def text_overrun(entries: Sequence[tuple[int, str | re.Pattern[str]]]) -> Overrun | None:
    """The first of the limits every list has (lines, characters) that ``entries`` (line
    number, entry) are past, or None."""
    if len(entries) > MAX_LINES:
        return Overrun("lines", MAX_LINES, len(entries))
    characters = sum(len(entry) if type(entry) is str else length(entry) for _, entry in entries)
    if characters > MAX_CHARACTERS:
        return Overrun("characters", MAX_CHARACTERS, characters)
    return None


def within_text_limits(entries: Sequence[tuple[int, Entry]]) -> list[tuple[int, Entry]]:
    """The first of ``entries`` that fit the lines and characters limits (the request
    path keeps those of a list stored or set past them)."""
    if text_overrun(entries) is None:
        return list(entries)
    kept = []
    characters = 0
    for number, entry in entries[:MAX_LINES]:
        characters += length(entry)
        if characters > MAX_CHARACTERS:
            break
        kept.append((number, entry))
    return kept


#: What each limit is, for the log.
_LIMIT_WORDS = {
    "lines": f"{MAX_LINES:,} lines",
    "characters": f"{MAX_CHARACTERS:,} characters",
    "line_length": f"{MAX_LINE_LENGTH:,} characters in a line",
    "expressions": f"{MAX_EXPRESSIONS:,} regular expressions",
    "program_size": f"an RE2 program size of {MAX_PROGRAM_SIZE:,}",
}


@dataclass(frozen=True, slots=True)
class LeftOut:
    """What a matcher built on the request path left out of its list, and why (a list
    stored or set around the validation keeps what fits rather than failing)."""

    #: Entries that cannot be used at all (not an address, not a regular expression...).
    unusable: int = 0
    #: Entries past one of the limits, and the limits (``"lines"``, ``"program_size"``...).
    past_limits: int = 0
    limits: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.unusable or self.past_limits)

    def describe(self, entries: str, unusable: str = "") -> str:
        """In a sentence, for the log: ``entries`` names the entries ("stored URL
        pattern(s)"), ``unusable`` says what an unusable one is not."""
        parts = []
        if self.unusable:
            parts.append(f"{self.unusable} {entries} {unusable} and are ignored")
        if self.past_limits:
            limits = ", ".join(_LIMIT_WORDS[limit] for limit in self.limits)
            parts.append(
                f"{self.past_limits} {entries} are past the limits of a list ({limits}) and "
                "are ignored"
            )
        return "; ".join(parts)


#: Nothing left out.
NOTHING_LEFT_OUT = LeftOut()
