"""URL patterns: one RE2 set matched against the start of a path, like ``re.match``.

RE2 matches every pattern in a single pass over the path, in time linear in its length
whatever the patterns are (it has no backtracking, so ``^/(a+)+$`` cannot hang a
worker). Plain paths (``^/healthz$``, ``^/shop/``) need no engine at all: they are set
lookups.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import re2

from maintenance_panel.matching.lines import InvalidLines, LineError, entries_of

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

#: The RE2 options of one pattern: the default memory budget (8 MiB) bounds what a
#: single line may compile to; errors are raised, not logged to stderr.
_PATTERN_OPTIONS = re2.Options()
_PATTERN_OPTIONS.log_errors = False
#: The set of all patterns gets a larger budget; a set that still does not fit is split.
_SET_OPTIONS = re2.Options()
_SET_OPTIONS.log_errors = False
_SET_OPTIONS.max_mem = 64 << 20


def _construct(pattern: str, message: str) -> str:
    """The unsupported construct RE2's ``message`` is about, or "" when it is a plain
    syntax error."""
    if message.startswith("invalid repetition size"):
        return "repetition_count"
    if message.startswith("pattern too large"):
        return "too_large"
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
    """None when RE2 accepts ``pattern``, else why not (line number 0: the caller's)."""
    if "\x00" in pattern:
        return LineError(0, pattern, "null_character")
    if _NO_LOWER_BOUND.search(pattern):
        # Both engines accept it but disagree on what it means: refuse rather than
        # match something else than the operator wrote.
        return LineError(0, pattern, "unsupported", construct="no_lower_bound")
    try:
        re2.compile(pattern, _PATTERN_OPTIONS)
    except re2.error as exc:
        message = exc.args[0] if exc.args else ""
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        message = str(message)
        try:
            compile_python(pattern)
        except ValueError:
            return LineError(0, pattern, "syntax", detail=message)
        construct = _construct(pattern, message) or "other"
        return LineError(0, pattern, "unsupported", construct=construct, detail=message)
    return None


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


#: A pattern that is a plain path: an optional ``^``, characters that stand for
#: themselves in both engines, an optional ``$``. Most lists are mostly such lines
#: (``^/healthz$``, ``^/shop/``); they need no regular expression engine at all.
_PLAIN = re.compile(r"\^?([A-Za-z0-9/_~%,;=@!&:'-]*)(\$?)", re.ASCII)


class PatternSet:
    """URL patterns matched together against the start of a path, like ``re.match``.

    Patterns from the admin are RE2 only: one pass over the path, however many patterns
    and whatever they say. Plain paths among them are set lookups instead (a set per
    prefix length, and one of exact paths), which cost nothing to build. Only the
    settings' own entries (:meth:`from_settings`) may fall back to Python's ``re``:
    compiled Python patterns, and strings RE2 refuses.
    """

    __slots__ = ("_exact", "_prefixes", "_python", "_sets", "python_sources", "sources")

    def __init__(self, patterns: Sequence[str] = (), python: Sequence[re.Pattern[str]] = ()):
        prefixes: dict[int, set[str]] = {}
        exact: set[str] = set()
        plain: set[str] = set()
        regexes = []
        for pattern in patterns:
            parts = _PLAIN.fullmatch(pattern)
            if parts is None:
                regexes.append(pattern)
                continue
            path, to_the_end = parts.groups()
            if to_the_end:
                exact.add(path)
            else:
                prefixes.setdefault(len(path), set()).add(path)
            plain.add(pattern)
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

    @classmethod
    def from_lines(cls, lines: str | Iterable[str], *, skip_invalid: bool = False) -> PatternSet:
        """Patterns of a one-per-line text (or a list of strings), RE2 only.

        Raise :class:`InvalidLines` naming every line RE2 does not accept, with the
        unsupported construct, unless ``skip_invalid``.
        """
        numbered = entries_of(lines)
        if skip_invalid:
            # No check one by one: the set leaves out what it cannot compile.
            return cls([entry for _, entry in numbered if "\x00" not in entry])
        errors = []
        for number, entry in numbered:
            problem = check_pattern(entry)
            if problem is not None:
                errors.append(
                    LineError(number, entry, problem.reason, problem.construct, problem.detail)
                )
        if errors:
            raise InvalidLines(errors)
        return cls([entry for _, entry in numbered])

    @classmethod
    def from_settings(cls, entries: Iterable[str | re.Pattern[str]]) -> PatternSet:
        """The settings' patterns: strings through RE2 where it accepts them, else
        Python's ``re``; compiled Python patterns as they are. Unusable ones are left out
        (the system check names them)."""
        patterns: list[str] = []
        python: list[re.Pattern[str]] = []
        for entry in entries:
            if isinstance(entry, re.Pattern):
                if isinstance(entry.pattern, str):
                    python.append(entry)
                continue
            text = str(entry).strip()
            if not text:
                continue
            if check_pattern(text) is None:
                patterns.append(text)
                continue
            try:
                python.append(compile_python(text))
            except ValueError:
                continue
        return cls(patterns, python)

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
