"""A list of URL patterns against the limits of a list.

:func:`check_patterns` gives every reason to refuse a list (lines RE2 does not accept,
limits it is past, by how much); :func:`choose_patterns` picks the part of a list the
request path uses, the first entries that fit, for a list stored or set around that
check. Both stop early on a list far past the limits, so that neither costs much more
than building the largest list the limits admit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from maintenance_panel.matching.expressions import (
    PLAIN,
    check_pattern,
    compile_python,
    program_size,
)
from maintenance_panel.matching.limits import (
    COUNT_PROGRAM_SIZE_UP_TO,
    MAX_EXPRESSIONS,
    MAX_LINE_LENGTH,
    MAX_PROGRAM_SIZE,
    LeftOut,
    Overrun,
    text_overrun,
    within_text_limits,
)
from maintenance_panel.matching.lines import InvalidLines, LineError, entries_of


@dataclass(slots=True)
class _Tally:
    """Program sizes of a list's expressions, added up line by line."""

    total: int = 0
    largest_line: int = 0
    largest_size: int = 0
    #: Instructions compiled so far, including those of lines refused as too large.
    work: int = 0

    def add(self, number: int, size: int) -> None:
        self.total += size
        self.work += size
        if size > self.largest_size:
            self.largest_line, self.largest_size = number, size

    def overrun(self, *, exact: bool) -> Overrun:
        return Overrun(
            "program_size",
            MAX_PROGRAM_SIZE,
            self.total,
            exact=exact,
            largest_line=self.largest_line,
            largest_size=self.largest_size,
        )


def _size_or_problem(entry: str) -> int | LineError:
    """The program size of ``entry``, or why it cannot be used (line number 0)."""
    problem = check_pattern(entry)
    if problem is not None:
        return problem
    try:
        size = program_size(entry)
    except ValueError as exc:
        return LineError(0, entry, "syntax", detail=str(exc))
    return LineError(0, entry, "too_large") if size is None else size


def numbered_entries(
    lines: str | Iterable[str | re.Pattern[str]],
) -> list[tuple[int, str | re.Pattern[str]]]:
    """(line number, entry) of a one-per-line text, or of a list (a setting's: compiled
    Python patterns are kept as they are, strings stripped, empty ones dropped)."""
    if isinstance(lines, str):
        return list(entries_of(lines))
    return [
        (number, entry if isinstance(entry, re.Pattern) else str(entry).strip())
        for number, entry in enumerate(lines, start=1)
        if isinstance(entry, re.Pattern) or str(entry).strip()
    ]


def _expressions(entries: Sequence[tuple[int, Any]]) -> list[tuple[int, str]]:
    """The expressions among ``entries``: strings that are neither plain paths nor longer
    than a line may be."""
    return [
        (number, entry)
        for number, entry in entries
        if isinstance(entry, str) and len(entry) <= MAX_LINE_LENGTH and not PLAIN.fullmatch(entry)
    ]


def check_patterns(lines: str | Iterable[str | re.Pattern[str]]) -> None:
    """Raise :class:`InvalidLines` naming every line RE2 does not accept (with the
    unsupported construct) and every limit the list is past.

    Refusing a list costs about what building the largest admitted one does: the limits
    on lines, characters and expressions come first (past one, nothing is compiled), and
    program sizes are added up only until :data:`COUNT_PROGRAM_SIZE_UP_TO` (the lines
    after that point are not checked).
    """
    entries = numbered_entries(lines)
    overrun = text_overrun(entries)
    if overrun is not None:
        raise InvalidLines([], [overrun])
    errors = [
        LineError(number, entry, "too_long")
        for number, entry in entries
        if isinstance(entry, str) and len(entry) > MAX_LINE_LENGTH
    ]
    expressions = _expressions(entries)
    if len(expressions) > MAX_EXPRESSIONS:
        raise InvalidLines(errors, [Overrun("expressions", MAX_EXPRESSIONS, len(expressions))])
    tally = _Tally()
    counted = 0
    for number, entry in expressions:
        if tally.work > COUNT_PROGRAM_SIZE_UP_TO:
            break
        counted += 1
        found = _size_or_problem(entry)
        if isinstance(found, int):
            tally.add(number, found)
            continue
        errors.append(LineError(number, entry, found.reason, found.construct, found.detail))
        if found.reason == "too_large":
            # RE2 compiled it as far as it could before refusing it.
            tally.work += 2 * MAX_PROGRAM_SIZE
    overruns = []
    if tally.total > MAX_PROGRAM_SIZE:
        overruns.append(tally.overrun(exact=counted == len(expressions)))
    if errors or overruns:
        raise InvalidLines(sorted(errors, key=lambda error: error.number), overruns)


@dataclass(slots=True)
class Chosen:
    """The part of a list the request path uses: what fits the limits."""

    #: Every string used, in order; the plain paths among them, with their path and
    #: whether they end with ``$``; the expressions among them.
    patterns: list[str] = field(default_factory=list)
    plain: dict[str, tuple[str, str]] = field(default_factory=dict)
    expressions: list[str] = field(default_factory=list)
    python: list[re.Pattern[str]] = field(default_factory=list)
    unusable: int = 0
    past_limits: int = 0
    limits: list[str] = field(default_factory=list)
    #: Program size of the expressions chosen so far; None once one did not fit.
    total: int | None = 0

    def leave_out(self, limit: str, count: int = 1) -> None:
        self.past_limits += count
        if limit not in self.limits:
            self.limits.append(limit)

    def left_out(self) -> LeftOut:
        return LeftOut(self.unusable, self.past_limits, tuple(self.limits))

    def add_expression(self, entry: str, *, python_fallback: bool) -> None:
        """Add ``entry`` if it fits, else end the expressions there."""
        try:
            found = _size_or_python(entry) if python_fallback else _size(entry)
        except ValueError:
            self.unusable += 1
            return
        if isinstance(found, re.Pattern):
            self.python.append(found)
        elif self.total is None or found is None or self.total + found > MAX_PROGRAM_SIZE:
            self.total = None
            self.leave_out("program_size")
        else:
            self.total += found
            self.patterns.append(entry)
            self.expressions.append(entry)


def _size(entry: str) -> int | None:
    """A stored line's program size (None: too large alone)."""
    if "\x00" in entry:
        raise ValueError("null character")
    return program_size(entry)


def _size_or_python(entry: str) -> int | re.Pattern[str] | None:
    """A setting's string: its program size when RE2 accepts it (None: too large),
    else Python's compiled pattern; raise ``ValueError`` when neither engine accepts it."""
    problem = check_pattern(entry)
    if problem is None:
        return program_size(entry)
    if problem.reason == "too_large":
        return None
    return compile_python(entry)


def choose_patterns(
    entries: Sequence[tuple[int, str | re.Pattern[str]]], *, python_fallback: bool = False
) -> Chosen:
    """What of ``entries`` the request path uses: the first that fit the limits.

    Never raises and never compiles much more than the limits admit: lines and
    characters past the limits are not read, and the first expression past the
    program size limit ends the expressions (plain paths after it are still used).
    With ``python_fallback`` (the settings), a string RE2 refuses but Python's ``re``
    accepts is compiled by ``re``.
    """
    chosen = Chosen()
    kept = within_text_limits(entries)
    if len(kept) < len(entries):
        overrun = text_overrun(entries)
        chosen.leave_out(overrun.limit if overrun else "lines", len(entries) - len(kept))
    expressions = 0
    for _, entry in kept:
        if isinstance(entry, re.Pattern):
            chosen.python.append(entry)
            continue
        if len(entry) > MAX_LINE_LENGTH:
            chosen.leave_out("line_length")
            continue
        parts = PLAIN.fullmatch(entry)
        if parts is not None:
            chosen.patterns.append(entry)
            chosen.plain[entry] = (parts[1], parts[2])
        elif expressions >= MAX_EXPRESSIONS:
            chosen.leave_out("expressions")
        elif chosen.total is None:
            chosen.leave_out("program_size")
        else:
            expressions += 1
            chosen.add_expression(entry, python_fallback=python_fallback)
    return chosen
