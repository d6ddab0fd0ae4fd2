"""Lines of a text box: one entry per line, numbered as the operator sees them.

The exemption lists and the scope are written one entry per line; every parser of them
counts lines here, so an error names the line the operator sees. Errors carry the
line and a machine-readable reason; the layers above word them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maintenance_panel.matching.limits import Overrun

#: The line breaks a browser's text box produces (and that an operator sees as lines).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(line number, stripped entry) of each non-blank line, counted as an operator sees
    them in a text box (blank lines count too)."""
    text = text or ""
    lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    numbered = []
    for number, line in enumerate(lines, start=1):
        entry = line.strip()
        if entry:
            numbered.append((number, entry))
    return numbered


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of ``text``."""
    return [entry for _, entry in numbered_lines(text)]


def entries_of(lines: str | Iterable[str]) -> list[tuple[int, str]]:
    """(line number, entry) of a one-per-line text, or of a list of entries (numbered
    by position)."""
    if isinstance(lines, str):
        return numbered_lines(lines)
    return [(number, entry.strip()) for number, entry in enumerate(lines, start=1) if entry.strip()]


@dataclass(frozen=True, slots=True)
class LineError:
    """One entry that cannot be used, and why."""

    #: The line (of a text), or the position (of a list), counted from 1.
    number: int
    entry: str
    #: ``"null_character"``, ``"not_an_address"``, ``"syntax"`` (not a regular
    #: expression at all), ``"unsupported"`` (valid for Python's ``re``, refused by RE2),
    #: ``"too_long"`` (a URL pattern longer than a line may be) or ``"too_large"`` (RE2
    #: would compile it to more than a whole list may use).
    reason: str
    #: For patterns: the construct RE2 does not support (see :data:`CONSTRUCTS`), or "".
    construct: str = ""
    #: For patterns: the engine's own message.
    detail: str = ""


class InvalidLines(ValueError):
    """Some lines cannot be used (:attr:`errors` names each one), or the list is past a
    limit (:attr:`overruns` says which)."""

    def __init__(self, errors: Sequence[LineError], overruns: Sequence[Overrun] = ()) -> None:
        super().__init__(
            "; ".join(
                [f"line {e.number}: {e.entry!r} ({e.reason})" for e in errors]
                + [str(overrun) for overrun in overruns]
            )
        )
        self.errors = list(errors)
        self.overruns = list(overruns)
