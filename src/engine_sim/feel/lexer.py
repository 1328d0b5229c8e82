"""Tokenizer for our FEEL subset; runs once per expression at compile time, never per evaluation.

Deliberate differences from FEEL: names are plain identifiers (`[A-Za-z_$][A-Za-z0-9_$]*`);
real FEEL also allows spaces and some punctuation inside names. The one exception is a
function name: a run of identifiers followed by `(` is one name (`string length(s)`), so the
builtins whose names contain spaces work. A keyword ends such a run, except in the builtin
names that contain one (`date and time(...)`): as in FEEL-Scala, these are one name when `(`
follows the whole name. Number literals may carry an exponent (`1e3`), an
extension over FEEL. Strings take JSON's escapes plus an escaped single quote, and
surrogate-pair unicode escapes combine; an unknown escape keeps its backslash (FEEL-Scala).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from engine_sim.feel.errors import _ParseFailure

# Token kinds that are not keywords or punctuation (upper case, so they never clash with them).
NAME = "NAME"
NUMBER = "NUMBER"
STRING = "STRING"
EOF = "EOF"

KEYWORDS = frozenset(
    {"true", "false", "null", "if", "then", "else", "and", "or", "between", "in"}
    | {"for", "some", "every", "return", "satisfies", "function", "instance", "of"}
)


# Builtin names containing a keyword, by first word: one name only when `(` follows them.
KEYWORD_FUNCTION_NAMES = (
    "date and time", "years and months duration", "day of week", "month of year", "index of",
)
_KEYWORD_NAME_RES: dict[str, list[re.Pattern[str]]] = {}
for _name in KEYWORD_FUNCTION_NAMES:
    _KEYWORD_NAME_RES.setdefault(_name.split()[0], []).append(
        re.compile(r"\s+".join(_name.split()) + r"(?![A-Za-z0-9_$])(?=\s*\()"))


def _by_first_char(puncts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Candidates per first character, longest first, so `**` wins over `*`."""
    table: dict[str, tuple[str, ...]] = {}
    for punct in sorted(puncts, key=len, reverse=True):
        table[punct[0]] = (*table.get(punct[0], ()), punct)
    return table


_PUNCTUATION = _by_first_char(("**", "..", "!=", "<=", ">=", *"()[]{},:.+-*/=<>"))

_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset(_ASCII_LETTERS + "_$")
_NAME_PART = _NAME_START | _DIGITS
_HEX = frozenset("0123456789abcdefABCDEF")
# JSON's escapes (so any JSON string literal is a FEEL string literal) plus `\'`.
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "'": "'"}
_SIMPLE_ESCAPES |= {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


class Token(NamedTuple):
    """One token: `kind` is NAME/NUMBER/STRING/EOF, a keyword, or the punctuation itself."""

    kind: str
    value: Any
    pos: int  # 1-based offset of the first character within the expression body
    text: str  # the source text, for error messages


def is_identifier(text: str) -> bool:
    """True when `text` is a plain FEEL name in our subset (keywords included)."""
    return bool(text) and text[0] in _NAME_START and all(c in _NAME_PART for c in text)


def tokenize(body: str) -> list[Token]:
    """Split `body` into tokens ending with an EOF token; raises `_ParseFailure`."""
    return _Lexer(body).run()


class _Lexer:
    """A hand-written scanner: linear time even on adversarial input."""

    def __init__(self, body: str) -> None:
        self.src = body
        self.i = 0
        self.tokens: list[Token] = []
        self._next_quote = -1

    def run(self) -> list[Token]:
        src, n = self.src, len(self.src)
        while True:
            self._skip_blanks()
            if self.i >= n:
                self.tokens.append(Token(EOF, None, n + 1, "end of expression"))
                return self.tokens
            ch = src[self.i]
            if ch in _NAME_START:
                self._names()
            elif ch in _DIGITS or (ch == "." and self._peek(1) in _DIGITS):
                self._number()
            elif ch == '"':
                self._string()
            else:
                self._punctuation()

    def _peek(self, offset: int) -> str:
        j = self.i + offset
        return self.src[j] if j < len(self.src) else ""

    def _add(self, kind: str, value: Any, start: int) -> None:
        self.tokens.append(Token(kind, value, start + 1, self.src[start : self.i]))

    def _skip_blanks(self) -> None:
        """Skip whitespace and `//` / `/* */` comments."""
        src, n = self.src, len(self.src)
        while self.i < n:
            ch = src[self.i]
            if ch.isspace():
                self.i += 1
            elif ch != "/":
                return
            elif src.startswith("//", self.i):
                end = src.find("\n", self.i)
                self.i = n if end < 0 else end + 1
            elif src.startswith("/*", self.i):
                end = src.find("*/", self.i + 2)
                if end < 0:
                    raise _ParseFailure("unterminated comment", self.i + 1)
                self.i = end + 2
            else:
                return

    def _word(self) -> tuple[str, int]:
        """The identifier at `self.i` and its start offset."""
        src, start = self.src, self.i
        while self.i < len(src) and src[self.i] in _NAME_PART:
            self.i += 1
        return src[start : self.i], start

    def _after_spaces(self, j: int) -> int:
        while j < len(self.src) and self.src[j].isspace():
            j += 1
        return j

    def _names(self) -> None:
        """Lex a run of identifiers; if `(` follows the run, it is one (function) name.

        A keyword ends the run. Scanning the run once and emitting every word keeps the lexer
        linear on inputs like `a a a a ...`.
        """
        if self._keyword_function_name():
            return
        words = [self._word()]
        while words[-1][0] not in KEYWORDS:
            j = self._after_spaces(self.i)
            if j >= len(self.src) or self.src[j] not in _NAME_START:
                break
            end_of_run, self.i = self.i, j
            word = self._word()
            if word[0] in KEYWORDS:
                self.i = end_of_run
                break
            words.append(word)
        j = self._after_spaces(self.i)
        if len(words) > 1 and j < len(self.src) and self.src[j] == "(":
            start = words[0][1]
            name = " ".join(word for word, _ in words)
            self.tokens.append(Token(NAME, name, start + 1, self.src[start : self.i]))
            return
        for text, position in words:
            kind = text if text in KEYWORDS else NAME
            self.tokens.append(Token(kind, text, position + 1, text))

    def _keyword_function_name(self) -> bool:
        """Lex `date and time` (a builtin name containing a keyword) when `(` follows it."""
        start = self.i
        end = start
        while end < len(self.src) and self.src[end] in _NAME_PART:
            end += 1
        match = None
        for pattern in _KEYWORD_NAME_RES.get(self.src[start:end], ()):
            match = pattern.match(self.src, start)
            if match is not None:
                break
        if match is None:
            return False
        self.i = match.end()
        name = " ".join(match.group().split())
        self.tokens.append(Token(NAME, name, start + 1, match.group()))
        return True

    def _digits(self) -> None:
        while self.i < len(self.src) and self.src[self.i] in _DIGITS:
            self.i += 1

    def _number(self) -> None:
        start = self.i
        self._digits()
        is_float = False
        if self._peek(0) == "." and self._peek(1) in _DIGITS:
            is_float = True
            self.i += 1
            self._digits()
        if self._peek(0) in ("e", "E"):
            sign = 1 if self._peek(1) in ("+", "-") else 0
            if self._peek(1 + sign) in _DIGITS:
                is_float = True
                self.i += 1 + sign
                self._digits()
        self._add(NUMBER, self._number_value(start, is_float), start)

    def _number_value(self, start: int, is_float: bool) -> int | float:
        literal = self.src[start : self.i]
        if is_float:
            value = float(literal)
            if not math.isfinite(value):
                raise _ParseFailure("number out of range", start + 1)
            return value
        try:
            return int(literal)
        except ValueError:  # more digits than Python's int/str conversion limit
            raise _ParseFailure("number too long", start + 1) from None

    def _string(self) -> None:
        src, start = self.src, self.i
        parts: list[str] = []
        self.i += 1
        while True:
            end = self._find_special(self.i)
            if end < 0:
                raise _ParseFailure("unterminated string", start + 1)
            parts.append(src[self.i : end])
            self.i = end
            if src[end] == '"':
                self.i += 1
                self._add(STRING, "".join(parts), start)
                return
            parts.append(self._escape(start))

    def _find_special(self, j: int) -> int:
        """Index of the next `"` or `\\` from `j`, or -1. The next quote is remembered, so a
        string of many escapes does not search to its closing quote once per escape."""
        if self._next_quote < j:
            self._next_quote = self.src.find('"', j)
            if self._next_quote < 0:
                self._next_quote = len(self.src)
        quote, backslash = self._next_quote, self.src.find("\\", j, self._next_quote)
        if quote == len(self.src):
            quote = -1
        if quote < 0 or backslash < 0:
            return max(quote, backslash)
        return min(quote, backslash)

    def _escape(self, string_start: int) -> str:
        """Decode the escape at `self.i` (a backslash); unknown escapes stay literal, as in
        FEEL-Scala, so regex-like strings such as `"\\d+"` keep their backslash."""
        ch = self._peek(1)
        if ch == "":
            raise _ParseFailure("unterminated string", string_start + 1)
        if ch == "u":
            return self._unicode_escape()
        self.i += 2
        return _SIMPLE_ESCAPES.get(ch, "\\" + ch)

    def _hex4(self, at: int) -> int | None:
        digits = self.src[at : at + 4]
        if len(digits) == 4 and all(c in _HEX for c in digits):
            return int(digits, 16)
        return None

    def _unicode_escape(self) -> str:
        code = self._hex4(self.i + 2)
        if code is None:
            raise _ParseFailure("invalid unicode escape", self.i + 1)
        self.i += 6
        if 0xD800 <= code < 0xDC00 and self.src.startswith("\\u", self.i):
            low = self._hex4(self.i + 2)
            if low is not None and 0xDC00 <= low < 0xE000:
                self.i += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        if 0xD800 <= code < 0xE000:
            raise _ParseFailure("invalid unicode escape", self.i - 5)
        return chr(code)

    def _punctuation(self) -> None:
        start = self.i
        for punct in _PUNCTUATION.get(self.src[start], ()):
            if self.src.startswith(punct, start):
                self.i += len(punct)
                self._add(punct, punct, start)
                return
        raise _ParseFailure(f"unexpected character '{self.src[start]}'", start + 1)
