"""Scalars and lines of the policy YAML subset (``yaml_subset``): plain scalars typed by the YAML
1.2 core schema, quoted scalars, comments and mapping keys. Pure: no I/O."""

from __future__ import annotations

import re
from typing import Any, Iterator

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class Unsupported(Exception):
    """The text uses YAML this reader does not interpret (or is not valid YAML)."""


def plain_scalar(text: str) -> Any:
    """A plain scalar typed by the YAML 1.2 core schema."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if re.fullmatch(r"0o[0-7]+", text):
        return int(text[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", text):
        return float("-inf") if text[0] == "-" else float("inf")
    if re.fullmatch(r"\.(nan|NaN|NAN)", text):
        return float("nan")
    if text[0] in "&*!|>%@`?{}[],#'\"" or (text[0] == "-" and (len(text) == 1 or text[1] == " ")):
        raise Unsupported(f"plain scalar `{text}` starts with an indicator")
    if ": " in text or text.endswith(":") or " #" in text:
        raise Unsupported(f"ambiguous plain scalar `{text}`")
    return text


def _double_quoted(text: str, start: int) -> tuple[str, int]:
    """The double-quoted scalar at ``start`` and the index after its closing quote."""
    out: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == '"':
            return "".join(out), index + 1
        if char == "\\":
            if index + 1 >= len(text):
                raise Unsupported("a double-quoted scalar continues on the next line")
            escape = text[index + 1]
            if escape in _ESCAPES:
                out.append(_ESCAPES[escape])
                index += 2
                continue
            width = _HEX_ESCAPES.get(escape)
            digits = text[index + 2:index + 2 + width] if width else ""
            if not width or not re.fullmatch(r"[0-9a-fA-F]+", digits) or len(digits) != width:
                raise Unsupported(f"escape `\\{escape}`")
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                raise Unsupported("a surrogate or out-of-range escape")
            out.append(chr(code))
            index += 2 + width
            continue
        out.append(char)
        index += 1
    raise Unsupported("a double-quoted scalar continues on the next line")


def _single_quoted(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    index = start + 1
    while index < len(text):
        if text[index] == "'":
            if text[index + 1:index + 2] == "'":
                out.append("'")
                index += 2
                continue
            return "".join(out), index + 1
        out.append(text[index])
        index += 1
    raise Unsupported("a single-quoted scalar continues on the next line")


def quoted(text: str, start: int) -> tuple[str, int]:
    """The quoted scalar at ``start`` (either quote) and the index after it."""
    return _double_quoted(text, start) if text[start] == '"' else _single_quoted(text, start)


def _unquoted(text: str) -> Iterator[tuple[int, str, str]]:
    """The characters of ``text`` outside quoted scalars: index, character, the one before. A
    quote opens a scalar only where one can begin (after white space, ``[``, ``{`` or ``,``, or
    at the start), so an apostrophe inside a plain scalar opens nothing."""
    index = 0
    while index < len(text):
        char = text[index]
        before = text[index - 1] if index > 0 else " "
        if char in "\"'" and before in " \t[{,":
            index = quoted(text, index)[1]
            continue
        yield index, char, before
        index += 1


def strip_comment(line: str) -> str:
    """``line`` without its comment and trailing white space."""
    for index, char, before in _unquoted(line):
        if char == "#" and before in " \t":
            return line[:index].rstrip()
    return line.rstrip()


def find_key_colon(text: str) -> int:
    """The index of the ``:`` that ends a mapping key in ``text`` (followed by a space or the
    end, outside quotes and brackets), or -1."""
    depth = 0
    for index, char, _ in _unquoted(text):
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == ":" and depth == 0 and text[index + 1:index + 2] in ("", " "):
            return index
    return -1


def parse_key(text: str) -> str:
    """A mapping key (quoted or plain) as a string."""
    text = text.strip()
    if not text:
        raise Unsupported("an empty mapping key")
    if text[0] in "\"'":
        value, end = quoted(text, 0)
        if text[end:].strip():
            raise Unsupported(f"unexpected text after the key `{value}`")
        return value
    value = plain_scalar(text)
    if not isinstance(value, str):
        raise Unsupported(f"a non-string key `{text}`")
    return value
