"""URL patterns: one RE2 set matched against the start of a path, like ``re.match``.

RE2 matches every pattern in a single pass over the path, in time linear in its length
whatever the patterns are (it has no backtracking, so ``^/(a+)+$`` cannot hang a
worker). Plain paths (``^/healthz$``, ``^/shop/``) need no engine at all: they are set
lookups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import re2

from maintenance_panel.matching.expressions import PLAIN
from maintenance_panel.matching.limits import NOTHING_LEFT_OUT, LeftOut
from maintenance_panel.matching.lines import entries_of
from maintenance_panel.matching.pattern_lists import (
    Chosen,
    check_patterns,
    choose_patterns,
    numbered_entries,
)

#: The set of all patterns: room for the largest program a list may have (RE2 needs
#: about 100 bytes per instruction to compile a set) and for the DFA it builds while
#: matching, which never grows past this. A set that still does not fit is split.
_SET_OPTIONS = re2.Options()
_SET_OPTIONS.log_errors = False
_SET_OPTIONS.max_mem = 16 << 20


def _compiled_sets(patterns: Sequence[str]) -> tuple[list[Any], list[str]]:
    """RE2 sets (anchored at the start, as ``re.match``) for ``patterns``, and the
    patterns they hold: one set, or a few when one does not fit RE2's memory budget.
    Patterns that do not compile, even alone, are left out."""
    pattern_set = re2.Set.MatchSet(_SET_OPTIONS)
    added = []
    for pattern in patterns:
        try:
            pattern_set.Add(pattern)
        except re2.error:
            continue  # not RE2 syntax: this pattern only
        added.append(pattern)
    if not added:
        return [], []
    try:
        pattern_set.Compile()
    except re2.error:
        if len(added) == 1:
            return [], []
        middle = len(added) // 2
        first_sets, first = _compiled_sets(added[:middle])
        second_sets, second = _compiled_sets(added[middle:])
        return first_sets + second_sets, first + second
    return [pattern_set], added


class PatternSet:
    """URL patterns matched together against the start of a path, like ``re.match``.

    Patterns from the admin are RE2 only: one pass over the path, however many patterns
    and whatever they say. Plain paths among them are set lookups instead (a set per
    prefix length, and one of exact paths), which cost nothing to build. Only the
    settings' own entries (:meth:`from_settings`) may fall back to Python's ``re``:
    compiled Python patterns, and strings RE2 refuses.
    """

    __slots__ = (
        "_exact",
        "_prefixes",
        "_python",
        "_sets",
        "left_out",
        "python_sources",
        "sources",
    )

    def __init__(
        self,
        patterns: Sequence[str] = (),
        python: Sequence[re.Pattern[str]] = (),
        left_out: LeftOut = NOTHING_LEFT_OUT,
    ):
        plain: dict[str, tuple[str, str]] = {}
        regexes = []
        for pattern in patterns:
            parts = PLAIN.fullmatch(pattern)
            if parts is None:
                regexes.append(pattern)
            else:
                plain[pattern] = (parts[1], parts[2])
        self._setup(patterns, plain, regexes, python, left_out)

    @classmethod
    def _of(cls, chosen: Chosen) -> PatternSet:
        """The matcher of what :func:`choose_patterns` chose (split into plain paths and
        expressions already)."""
        patterns = cls.__new__(cls)
        patterns._setup(
            chosen.patterns, chosen.plain, chosen.expressions, chosen.python, chosen.left_out()
        )
        return patterns

    def _setup(
        self,
        patterns: Sequence[str],
        plain: dict[str, tuple[str, str]],
        regexes: Sequence[str],
        python: Sequence[re.Pattern[str]],
        left_out: LeftOut,
    ) -> None:
        prefixes: dict[int, set[str]] = {}
        exact: set[str] = set()
        for path, to_the_end in plain.values():
            if to_the_end:
                exact.add(path)
            else:
                prefixes.setdefault(len(path), set()).add(path)
        #: Prefix length -> the plain prefixes of that length, shortest first.
        self._prefixes = {length: frozenset(prefixes[length]) for length in sorted(prefixes)}
        self._exact = frozenset(exact)
        self._sets, usable = _compiled_sets(regexes)
        self._python = tuple(python)
        usable_set = set(usable)
        #: Every usable pattern as written, for display.
        self.sources: tuple[str, ...] = (
            *(p for p in patterns if p in plain or p in usable_set),
            *(p.pattern for p in self._python),
        )
        #: The settings' patterns matched by Python's backtracking ``re``.
        self.python_sources: tuple[str, ...] = tuple(p.pattern for p in self._python)
        #: What of the list given was not used, and why.
        self.left_out = LeftOut(
            left_out.unusable + len(regexes) - len(usable), left_out.past_limits, left_out.limits
        )

    @classmethod
    def from_lines(cls, lines: str | Iterable[str], *, skip_invalid: bool = False) -> PatternSet:
        """Patterns of a one-per-line text (or a list of strings), RE2 only.

        Raise :class:`InvalidLines` naming every line RE2 does not accept, with the
        unsupported construct, and every limit the list is past (see
        :func:`check_patterns`), unless ``skip_invalid``: then the lines that cannot be
        used are left out, and so are those past the limits (:func:`choose_patterns`),
        as :attr:`left_out` says.
        """
        if not skip_invalid:
            check_patterns(lines)
            return cls([entry for _, entry in entries_of(lines)])
        return cls._of(choose_patterns(entries_of(lines)))

    @classmethod
    def from_settings(cls, entries: Iterable[str | re.Pattern[str]]) -> PatternSet:
        """The settings' patterns: strings through RE2 where it accepts them, else
        Python's ``re``; compiled Python patterns as they are. Unusable ones, and those
        past the limits, are left out (the system check names them)."""
        numbered = [
            (number, entry)
            for number, entry in numbered_entries(entries)
            if not isinstance(entry, re.Pattern) or isinstance(entry.pattern, str)
        ]
        return cls._of(choose_patterns(numbered, python_fallback=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PatternSet) and (self.sources, self.python_sources) == (
            other.sources,
            other.python_sources,
        )

    def __hash__(self) -> int:
        return hash(self.sources)

    def __repr__(self) -> str:
        return f"PatternSet({list(self.sources)!r})"

    def __len__(self) -> int:
        return len(self.sources)

    def __bool__(self) -> bool:
        return bool(self.sources)

    def match(self, path: str) -> bool:
        """Whether one of the patterns matches the start of ``path``."""
        if path in self._exact:
            return True
        for length, prefixes in self._prefixes.items():
            if length > len(path):
                break
            if path[:length] in prefixes:
                return True
        if self._sets:
            # Lone surrogates cannot be UTF-8; passed through, they just match nothing.
            data = path.encode("utf-8", "surrogatepass")
            for pattern_set in self._sets:
                if pattern_set.Match(data):
                    return True
        if self._python:  # settings' patterns only RE2 refuses: rare, so kept off the fast path
            for pattern in self._python:
                if pattern.match(path):
                    return True
        return False
