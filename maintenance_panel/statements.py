"""Which SQL statements are reads: the write guard's classifier (an allow-list).

A statement is a read only when it is known to be one; everything else is a write.
Known reads:

- ``SELECT``, ``VALUES``, ``TABLE`` and ``WITH`` whose code (what is left once string
  literals, quoted identifiers and comments are set aside) contains none of the
  :data:`WRITE_WORDS`: no ``INTO`` (``SELECT ... INTO newtable``, MySQL's ``INTO
  OUTFILE``), no row lock (``FOR UPDATE``, ``FOR NO KEY UPDATE``, ``FOR SHARE``, ``FOR
  KEY SHARE``, MySQL's ``LOCK IN SHARE MODE``), no data-modifying common table
  expression (``WITH x AS (DELETE ...)``);
- ``EXPLAIN`` without ``ANALYZE`` (which runs the statement it explains), ``SHOW``;
- transaction control: ``BEGIN``, ``START TRANSACTION``, ``COMMIT``, ``END``,
  ``ROLLBACK``, ``ABORT``, ``SAVEPOINT``, ``RELEASE`` (the rollback that keeps a
  transaction whole needs them);
- session settings: ``SET`` (not ``SET GLOBAL``, ``SET PERSIST``, ``SET PASSWORD``,
  ``SET DEFAULT ROLE``, ``SET RESOURCE GROUP``, which MySQL keeps beyond the session),
  ``RESET`` on PostgreSQL (MySQL's ``RESET`` deletes logs), and SQLite's ``PRAGMA``
  when it only reads: a setting's value (``PRAGMA foreign_keys``) or the schema
  (``PRAGMA table_info(t)``). ``PRAGMA x = ...``, ``PRAGMA x(value)`` of a setting, and
  pragmas that change the file (``optimize``, ``incremental_vacuum``,
  ``wal_checkpoint``, ...) are writes.

Also a write: several statements in one string (a ``;`` in the code followed by more
code), and any text the classifier cannot read exactly as the database reads it: an
unterminated literal or comment; a literal whose end depends on whether a backslash
escapes (PostgreSQL's ``E'...'`` and ``standard_conforming_strings``, MySQL's modes);
a ``/*`` inside a block comment where comments do not nest; MySQL's executable
``/*! ... */``; ``--`` followed by a control character on MySQL; a line comment ended
by a lone carriage return where databases disagree on it; a ``$`` that PostgreSQL could
read as the start of a dollar-quoted string; SQLite's Tcl-style parameter
``$name(...)``; and, on a database it does not know, characters that quote or comment
in some dialect (backticks, brackets, ``#``, ``$``, braces, Oracle's ``q'...'``).

Literals and comments are skipped as each database's own lexer does (see
:class:`Dialect`): PostgreSQL nests block comments and has dollar-quoted strings
``$tag$...$tag$``; SQLite also quotes identifiers in brackets and backticks; MySQL
comments with ``#`` and ``-- `` (a blank after the dashes) and escapes with
backslashes. A word of a literal or a quoted identifier is never taken for a keyword,
and a literal never hides what follows it.

What no reading of the text can tell: a function with side effects called from a read
(``SELECT nextval(...)``, a user function that writes) passes as the read it looks
like.

The common case is cheap: a statement that starts with ``SELECT`` and contains no
``;`` (most of Django's own queries) is decided by a few substring searches of its
whole text (see :func:`is_write`).

On a database other than PostgreSQL, SQLite and MySQL (:data:`UNKNOWN`) the reading
is conservative, not exact: its own quoting (SQL Server's brackets) makes statements
writes, and its statements beyond those above are not all known. SQL Server runs
several statements without a ``;`` between them, so there a read may carry a write
whose first word is not one of :data:`WRITE_WORDS` or :data:`UNKNOWN_WRITE_WORDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


#: First keywords of the statements that may be reads (see the module docstring).
READ_STATEMENTS = frozenset(
    _words(
        "SELECT VALUES TABLE WITH EXPLAIN SHOW BEGIN START COMMIT END ROLLBACK ABORT "
        "SAVEPOINT RELEASE SET RESET PRAGMA"
    )
)

#: Words that make any statement a write wherever they stand in its code.
WRITE_WORDS = tuple(
    _words("INSERT UPDATE DELETE MERGE INTO SHARE ANALYZE ANALYSE GLOBAL PERSIST PERSIST_ONLY")
)

#: SQLite pragmas that only read, also with an argument (a table, an index, a schema).
SCHEMA_PRAGMAS = frozenset(
    _words(
        "table_info table_xinfo table_list index_list index_info index_xinfo "
        "foreign_key_list foreign_key_check integrity_check quick_check database_list "
        "collation_list function_list module_list pragma_list compile_options"
    )
)

#: SQLite pragmas whose value may be read (without an argument: with one, it is set).
SETTING_PRAGMAS = frozenset(
    _words(
        "foreign_keys journal_mode synchronous busy_timeout cache_size page_size "
        "page_count max_page_count freelist_count encoding user_version schema_version "
        "application_id data_version auto_vacuum temp_store locking_mode "
        "recursive_triggers defer_foreign_keys case_sensitive_like query_only"
    )
)

#: On a database the classifier does not know: also the words that start statements
#: which write, should one follow another without a ";".
UNKNOWN_WRITE_WORDS = tuple(
    _words(
        "CREATE ALTER DROP TRUNCATE RENAME GRANT REVOKE EXEC EXECUTE CALL DECLARE "
        "BACKUP RESTORE DBCC KILL SHUTDOWN BULK"
    )
)

_WRITE_WORD = re.compile(r"\b(?:" + "|".join(WRITE_WORDS) + r")\b", re.IGNORECASE)
_UNKNOWN_WRITE_WORD = re.compile(
    r"\b(?:" + "|".join(WRITE_WORDS + UNKNOWN_WRITE_WORDS) + r")\b", re.IGNORECASE
)
_FIRST_WORD = re.compile(r"[ \t\n\r\f\v(]*([A-Za-z_][\w$]*)")
_PRAGMA = re.compile(r"\s*(?:\w+\s*\.\s*)?(\w+)\s*(\(.*\))?\s*;?\s*\Z", re.DOTALL | re.IGNORECASE)
_SECOND_WORD = re.compile(r"[ \t\n\r\f\v]*([A-Za-z_]\w*)")
#: After SET: what MySQL keeps beyond the session (passwords, default roles, ...).
_SERVER_SETTINGS = frozenset({"PASSWORD", "DEFAULT", "RESOURCE"})
_BLANKS = " \t\n\r\f\v"

# Possessive: an unterminated literal does not match (rather than ending early at the
# first quote of a doubled one).
_DOUBLED = {q: re.compile(f"[^{q}]*+(?:{q}{q}[^{q}]*+)*+{q}") for q in "'\"`"}
_ESCAPED = {q: re.compile(f"(?:[^{q}\\\\]|\\\\.|{q}{q})*+{q}", re.DOTALL) for q in "'\""}
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_DOLLAR_PARAMETER = re.compile(r"\$\d+")
_NESTED_COMMENT = re.compile(r"/\*|\*/")

_AMBIGUOUS = -2  # a construct read differently by some database: a write
_UNTERMINATED = -1


@dataclass(frozen=True)
class Dialect:
    """How one database's lexer opens and closes literals and comments."""

    #: What may open a literal or a comment (a regular expression).
    openers: re.Pattern[str]
    #: Quote characters whose literals may end differently with backslash escapes.
    backslash_quotes: str = ""
    #: Block comments nest (PostgreSQL); False: a ``/*`` inside one is ambiguous.
    nested_comments: bool = False
    #: Line comments end at a carriage return too (PostgreSQL), or only at a newline
    #: (SQLite); None: a lone carriage return in one is ambiguous.
    carriage_return_ends: bool | None = None
    #: ``#`` starts a line comment and ``--`` needs a blank after it (MySQL).
    mysql_comments: bool = False
    #: Openers that are ambiguous wherever they stand in the code.
    refused: str = ""
    #: Only a ``;`` separates two statements (not so in SQL Server, say).
    separated: bool = True


POSTGRESQL = Dialect(
    re.compile(r"'|\"|--|/\*|\$"),
    backslash_quotes="'",
    nested_comments=True,
    carriage_return_ends=True,
)
SQLITE = Dialect(re.compile(r"'|\"|`|\[|--|/\*|[$@#:]"), carriage_return_ends=False)
MYSQL = Dialect(re.compile(r"'|\"|`|#|--|/\*"), backslash_quotes="'\"", mysql_comments=True)
#: Any other database: every quoting or commenting character of another dialect that
#: it might share is refused.
UNKNOWN = Dialect(
    re.compile(r"'|\"|`|\[|#|\$|\{|--|/\*"),
    backslash_quotes="'\"",
    refused="`[#${",
    separated=False,
)

DIALECTS = {"postgresql": POSTGRESQL, "sqlite": SQLITE, "mysql": MYSQL}


def dialect_of(vendor: str) -> Dialect:
    """The dialect of a Django database ``vendor`` (:data:`UNKNOWN` for others)."""
    return DIALECTS.get(vendor, UNKNOWN)


def is_write(sql: str, dialect: Dialect = UNKNOWN) -> bool:
    """Whether statement ``sql`` may write: True unless it is known to be a read."""
    if sql.startswith("SELECT ") and ";" not in sql and dialect.separated:
        # Most of Django's own queries end here. A statement that starts with SELECT,
        # without a ";" anywhere, is one statement; it writes only with INTO or a row
        # lock (FOR UPDATE, ..., MySQL's LOCK IN SHARE MODE), since only a top-level
        # WITH may hold a data-modifying statement. The words are looked for in the
        # whole text, literals and comments included: a false alarm only means the
        # closer look below.
        upper = sql.upper()
        if not (
            ("FOR" in upper and _has_word(upper, "FOR"))
            or ("INTO" in upper and _has_word(upper, "INTO"))
            or ("LOCK" in upper and _has_word(upper, "LOCK"))
        ):
            return False
    code = statement_code(sql, dialect)
    return code is None or _code_writes(code, dialect)


def _has_word(upper: str, word: str) -> bool:
    """Whether ``word`` stands in ``upper`` where a database could read it as a
    keyword: not inside a longer name ("BEFORE", "FORMAT"). A digit or ``$`` before it
    does not join it to a name (``LIMIT 1FOR UPDATE`` locks on older PostgreSQL)."""
    start = upper.find(word)
    while start >= 0:
        before = upper[start - 1 : start]
        after = upper[start + len(word) : start + len(word) + 1]
        joined_before = before.isalpha() or before == "_"  # non-ASCII letters too
        joined_after = after.isalnum() or after in ("_", "$") or after >= "\x80"
        if not (joined_before or before >= "\x80" or joined_after):
            return True
        start = upper.find(word, start + 1)
    return False


def statement_code(sql: str, dialect: Dialect) -> str | None:
    """``sql`` with each literal and quoted identifier replaced by ``0`` and each
    comment by a blank; None when it cannot be read exactly as the database reads it."""
    parts: list[str] = []
    position = 0
    while (found := dialect.openers.search(sql, position)) is not None:
        start = found.start()
        parts.append(sql[position:start])
        end, replacement = _skip(sql, start, found.group(), dialect, position)
        if end < 0:
            return None
        parts.append(replacement)
        position = end
    parts.append(sql[position:])
    return "".join(parts)


def _skip(sql: str, start: int, opener: str, dialect: Dialect, code_start: int) -> tuple[int, str]:
    """Where the literal or comment opened at ``start`` ends, and what replaces it."""
    if opener in dialect.refused:
        return _AMBIGUOUS, ""
    if opener == "--":
        after = sql[start + 2 : start + 3]
        if after in ("", *_BLANKS) or not (dialect.mysql_comments or dialect is UNKNOWN):
            return _line_comment_end(sql, start, dialect), " "
        if dialect is UNKNOWN or after < " " or after == "\x7f":
            return _AMBIGUOUS, ""  # a comment to MySQL after a control character
        return start + 1, "-"  # MySQL: "--x" is two minus signs
    if opener == "#":
        return _line_comment_end(sql, start, dialect), " "
    if opener == "/*":
        return _block_comment_end(sql, start, dialect), " "
    if opener == "$" and dialect is POSTGRESQL:
        return _dollar_end(sql, start, code_start), " 0 "
    if opener in "$@#:":
        return _sqlite_variable_end(sql, start), " 0 "
    if opener == "[":
        close = sql.find("]", start + 1)
        return (_UNTERMINATED if close < 0 else close + 1), " 0 "
    return _quoted_end(sql, start, opener, dialect), " 0 "


def _quoted_end(sql: str, start: int, quote: str, dialect: Dialect) -> int:
    """The end of a literal or quoted identifier (a doubled quote stands for one)."""
    if dialect is UNKNOWN and quote == "'" and sql[start - 1 : start] in ("q", "Q"):
        return _AMBIGUOUS  # Oracle's q'[...]' quoting
    found = _DOUBLED[quote].match(sql, start + 1)
    if found is None:
        return _UNTERMINATED
    end = found.end()
    if quote in dialect.backslash_quotes and "\\" in sql[start:end]:
        # E'...' on PostgreSQL, MySQL's strings: a backslash may escape the quote.
        escaped = _ESCAPED[quote].match(sql, start + 1)
        if escaped is None or escaped.end() != end:
            return _AMBIGUOUS
    return end


def _line_comment_end(sql: str, start: int, dialect: Dialect) -> int:
    newline = sql.find("\n", start)
    end = len(sql) if newline < 0 else newline
    carriage_return = sql.find("\r", start, end)
    if carriage_return < 0:
        return end
    if dialect.carriage_return_ends is None:
        return _AMBIGUOUS
    return carriage_return if dialect.carriage_return_ends else end


def _block_comment_end(sql: str, start: int, dialect: Dialect) -> int:
    executable = dialect.mysql_comments or dialect is UNKNOWN
    if executable and sql.startswith(("/*!", "/*M!"), start):
        return _AMBIGUOUS  # MySQL runs what such a comment holds
    if not dialect.nested_comments:
        close = sql.find("*/", start + 2)
        if close < 0:
            return _UNTERMINATED
        if dialect is not SQLITE and "/*" in sql[start + 2 : close]:
            return _AMBIGUOUS  # nested on some databases, not on others
        return close + 2
    depth = 0
    for found in _NESTED_COMMENT.finditer(sql, start):
        depth += 1 if found.group() == "/*" else -1
        if depth == 0:
            return found.end()
    return _UNTERMINATED


def _dollar_end(sql: str, start: int, code_start: int) -> int:
    """PostgreSQL: where a ``$`` token ends (a dollar-quoted string, a parameter, or
    part of an identifier); ambiguous when it could be read two ways. The code before
    it starts at ``code_start`` (right after a literal or a comment, if any)."""
    word = start
    while word > code_start and _continues_identifier(sql[word - 1]):
        word -= 1
    if word < start:  # inside an identifier ("a$b"), unless it began with a digit
        return _AMBIGUOUS if sql[word].isdigit() else start + 1
    tag = _DOLLAR_TAG.match(sql, start)
    if tag is not None:
        close = sql.find(tag.group(), tag.end())
        return _UNTERMINATED if close < 0 else close + len(tag.group())
    parameter = _DOLLAR_PARAMETER.match(sql, start)
    if parameter is None:
        return _AMBIGUOUS
    end = parameter.end()
    following = sql[end : end + 1]
    return _AMBIGUOUS if following.isalnum() or following in ("_", "$") else end


def _sqlite_variable_end(sql: str, start: int) -> int:
    """SQLite: where a ``$name``, ``@name``, ``#name`` or ``:name`` parameter ends. Its
    Tcl form ``$name(...)`` takes in whatever stands up to the parenthesis, quotes
    included: ambiguous."""
    end = start + 1
    while end < len(sql):
        character = sql[end]
        if character == "(" and end > start + 1:
            return _AMBIGUOUS
        if character == ":" and sql.startswith("::", end):
            end += 2
        elif _continues_identifier(character):
            end += 1
        else:
            break
    return end


def _continues_identifier(character: str) -> bool:
    # PostgreSQL takes every non-ASCII character as a letter.
    return character.isalnum() or character in "_$" or character >= "\x80"


def _code_writes(code: str, dialect: Dialect) -> bool:
    """Whether a statement's code (literals and comments set aside) may write."""
    first = _FIRST_WORD.match(code)
    if first is None:
        return bool(code.strip(_BLANKS))  # an empty statement writes nothing
    keyword = first.group(1).upper()
    words = _WRITE_WORD if dialect.separated else _UNKNOWN_WRITE_WORD
    if keyword not in READ_STATEMENTS or words.search(code) is not None:
        return True
    separator = code.find(";")
    if separator >= 0 and code[separator:].strip(_BLANKS + ";"):
        return True  # several statements
    rest = code[first.end() :]
    if keyword == "PRAGMA":
        return _pragma_writes(rest)
    if keyword in ("SET", "START"):
        second = _SECOND_WORD.match(rest)
        word = "" if second is None else second.group(1).upper()
        if keyword == "START":
            return word != "TRANSACTION"  # not MySQL's START REPLICA, ...
        return word in _SERVER_SETTINGS
    if keyword == "RESET":
        return dialect is not POSTGRESQL  # MySQL's RESET MASTER deletes logs
    return False


def _pragma_writes(rest: str) -> bool:
    found = _PRAGMA.match(rest)
    if found is None:  # "PRAGMA x = 1", or anything unexpected
        return True
    name = found.group(1).lower()
    if name in SCHEMA_PRAGMAS:
        return False
    return name not in SETTING_PRAGMAS or found.group(2) is not None
