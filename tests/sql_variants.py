"""Hypothesis strategies for the write guard's tests: real statements of each database,
disguised with the comments, blanks, letter cases and literals its lexer accepts.

A statement is a list of tokens; a variant puts blanks and comments before, between
and after them, and changes the case of the words (not of the literals). Each backend
gets only what its own lexer reads as such (PostgreSQL nests block comments and quotes
with dollars; SQLite does neither), so that every variant is a statement that the
database really runs: the tests show that, without the guard, each written variant
writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

TABLE = "demo_guestbookentry"
COPY = "guard_copy"

# What a comment may hold: quotes, separators, dollars and keywords, which the guard
# must not take for code.
_COMMENT_PIECES = [
    "a",
    "Z",
    " ",
    "\t",
    ";",
    "'",
    '"',
    "$",
    "$$",
    "`",
    "[",
    "#",
    "-",
    "(",
    ")",
    "=",
    "DELETE FROM x",
    "SELECT",
    "INSERT",
]

_BLANKS = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\f"])


def line_comments() -> st.SearchStrategy[str]:
    """``-- ...`` up to and with its newline."""
    pieces = st.lists(st.sampled_from([*_COMMENT_PIECES, "*", "/", "/*", "*/"]), max_size=6)
    return pieces.map(lambda parts: "--" + "".join(parts) + "\n")


def block_comments(nested: bool) -> st.SearchStrategy[str]:
    """``/* ... */``; on PostgreSQL, possibly with block comments inside."""
    text = st.lists(st.sampled_from([*_COMMENT_PIECES, "--", "*", "/"]), max_size=6).map(
        lambda parts: "".join(parts).replace("*/", "* /").replace("/*", "/ *")
    )
    # Blanks inside the delimiters: a "*" or "/" next to one would make another.
    flat = text.map(lambda inner: f"/* {inner} */")
    if not nested:
        return flat
    return st.recursive(
        flat,
        lambda inner: st.tuples(text, inner, text).map(lambda t: f"/* {t[0]} {t[1]} {t[2]} */"),
        max_leaves=3,
    )


def gaps(nested: bool, empty: bool = False) -> st.SearchStrategy[str]:
    """What may stand between two tokens (or before and after a statement)."""
    piece = st.one_of(_BLANKS, line_comments(), block_comments(nested))
    return st.lists(piece, min_size=0 if empty else 1, max_size=3).map("".join)


def cased(word: str) -> st.SearchStrategy[str]:
    """``word`` in some mix of cases (literals and quoted names stay as they are)."""
    if not word[:1].isalpha():
        return st.just(word)
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flags: "".join(
            c.upper() if up else c.lower() for c, up in zip(word, flags, strict=True)
        )
    )


def variants(tokens: list[str], nested: bool) -> st.SearchStrategy[str]:
    """``tokens`` joined by gaps, with gaps around, in any case."""
    parts: list[st.SearchStrategy[str]] = [gaps(nested, empty=True)]
    for index, token in enumerate(tokens):
        if index:
            parts.append(gaps(nested))
        parts.append(cased(token))
    parts.append(gaps(nested, empty=True))
    return st.tuples(*parts).map("".join)


@dataclass(frozen=True)
class Write:
    """A statement that writes, as tokens, and whether the database runs it from one
    ``cursor.execute()`` (SQLite's driver refuses several statements at once)."""

    name: str
    tokens: list[str]
    runs: bool = True


_INSERT = [
    "INSERT",
    "INTO",
    TABLE,
    "(name,",
    "message,",
    "created_at)",
    "VALUES",
    "('x',",
    "'y',",
    "CURRENT_TIMESTAMP)",
]
_UPDATE = ["UPDATE", TABLE, "SET", "name", "=", "'changed'"]
_DELETE = ["DELETE", "FROM", TABLE]

COMMON_WRITES = [
    Write("insert", _INSERT),
    Write("update", _UPDATE),
    Write("delete", _DELETE),
    Write("create table as", ["CREATE", "TABLE", COPY, "AS", "SELECT", "*", "FROM", TABLE]),
]

SQLITE_WRITES = [
    *COMMON_WRITES,
    Write("cte", ["WITH", "d", "AS", "(SELECT", "1)", *_DELETE]),
    Write("separator", ["SELECT", "'a;b'", ";", *_DELETE], runs=False),
    Write("separator after a comment", ["SELECT", "1", "/* ; */;", *_UPDATE], runs=False),
]

POSTGRESQL_WRITES = [
    *COMMON_WRITES,
    Write("select into", ["SELECT", "*", "INTO", COPY, "FROM", TABLE]),
    Write("cte", ["WITH", "d", "AS", "(DELETE", "FROM", TABLE, "RETURNING", "id)", "SELECT", "1"]),
    Write("cte insert", ["WITH", "d", "AS", "(SELECT", "1)", *_INSERT]),
    Write("explain analyze", ["EXPLAIN", "ANALYZE", *_DELETE]),
    Write("explain (analyze)", ["EXPLAIN", "(ANALYZE,", "COSTS", "OFF)", *_UPDATE]),
    Write("prepare and execute", ["PREPARE", "p", "AS", *_DELETE, ";", "EXECUTE", "p"]),
    Write("separator", ["SELECT", "1", ";", *_DELETE]),
    Write("separator after a literal", ["SELECT", "'--'", ";", *_DELETE]),
    Write("separator after dollars", ["SELECT", "$q$ ' $q$", ";", *_UPDATE]),
    Write("separator after a nested comment", ["SELECT", "/* /* */ */", "1;", *_DELETE]),
]


def writes(vendor: str) -> st.SearchStrategy[tuple[Write, str]]:
    """A write of ``vendor``'s and one of its variants."""
    nested = vendor == "postgresql"
    found = POSTGRESQL_WRITES if nested else SQLITE_WRITES
    return st.sampled_from(found).flatmap(
        lambda write: variants(write.tokens, nested).map(lambda sql: (write, sql))
    )


_COMMON_LITERALS = ["'DELETE FROM x; --'", "'it''s /* ; */'", "'-- INSERT'", '"message"']
_POSTGRESQL_LITERALS = ["$$; DELETE FROM x $$", "$q$ ' ; UPDATE $q$", "E'a\\\\b'", "U&'d'"]


def reads(vendor: str) -> st.SearchStrategy[str]:
    """A read of ``vendor``'s, disguised: literals full of write words and separators,
    comments, blanks, a trailing semicolon; on PostgreSQL also parentheses."""
    nested = vendor == "postgresql"
    literals = _COMMON_LITERALS + (_POSTGRESQL_LITERALS if nested else [])
    statement = st.sampled_from(literals).flatmap(
        lambda literal: variants(
            ["SELECT", "count(*)", "FROM", TABLE, "WHERE", "name", "<>", literal], nested
        )
    )
    if nested:
        statement = st.one_of(statement, statement.map(lambda sql: f"({sql})"))
    return st.tuples(statement, st.sampled_from(["", ";", "; ", ";\n-- done\n"])).map("".join)
