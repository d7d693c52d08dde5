"""A strict reader for the subset of YAML that policies are written in, so that the SDK can
inspect a policy without a YAML dependency. Pure: no I/O.

It reads block mappings and sequences, flow collections (``[a, b]``, ``{k: v}``, over several
lines too), plain, single- and double-quoted scalars, literal blocks (``|``) and comments, with
plain scalars typed by the YAML 1.2 core schema (as the server reads them). Anything else
(anchors, aliases, tags, folded blocks, multi-line plain or quoted scalars, several documents)
raises :class:`Unsupported`: the caller then does not interpret the policy locally and asks the
server, so a misreading can never become a local decision.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

_MAX_DEPTH = 64
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


def _is_dash(content: str) -> bool:
    return content == "-" or content.startswith("- ")


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.index = 0

    def peek(self) -> tuple[int, str] | None:
        """The next line with content: its indent and its text without the comment."""
        while self.index < len(self.lines):
            raw = self.lines[self.index]
            content = strip_comment(raw)
            stripped = content.lstrip(" ")
            if stripped:
                if stripped[0] == "\t" or "\t" in raw[:len(raw) - len(raw.lstrip(" \t"))]:
                    raise Unsupported(f"line {self.index + 1}: a tab in the indentation")
                return len(content) - len(stripped), stripped
            self.index += 1
        return None

    def block(self, indent: int, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise Unsupported("nested too deep")
        line = self.peek()
        assert line is not None
        return self.sequence(indent, depth) if _is_dash(line[1]) else self.mapping(indent, None, depth)

    def nested(self, parent: int, depth: int, same_indent_sequence: bool) -> Any:
        """The value of a key or dash with nothing after it: a block below, or null."""
        line = self.peek()
        if line is None:
            return None
        if line[0] > parent:
            return self.block(line[0], depth + 1)
        if same_indent_sequence and line[0] == parent and _is_dash(line[1]):
            return self.sequence(parent, depth + 1)
        return None

    def sequence(self, indent: int, depth: int) -> list[Any]:
        items: list[Any] = []
        while (line := self.peek()) is not None and line[0] == indent and _is_dash(line[1]):
            rest = line[1][1:].lstrip(" ")
            column = indent + len(line[1]) - len(rest)
            self.index += 1
            if not rest:
                items.append(self.nested(indent, depth, False))
            elif _is_dash(rest):
                raise Unsupported(f"line {self.index}: a sequence inside a sequence on one line")
            elif rest[0] not in "[{" and find_key_colon(rest) >= 0:
                items.append(self.mapping(column, rest, depth + 1))
            else:
                items.append(self.value(rest, indent, depth))
        self.expect_end(indent)
        return items

    def mapping(self, indent: int, first: str | None, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        pending = first
        while True:
            if pending is None:
                line = self.peek()
                if line is None or line[0] != indent or _is_dash(line[1]):
                    break
                content = line[1]
                self.index += 1
            else:
                content, pending = pending, None
            colon = find_key_colon(content)
            if colon < 0:
                raise Unsupported(f"line {self.index}: expected `key: value`")
            key = parse_key(content[:colon])
            if key in result:
                raise Unsupported(f"line {self.index}: duplicate key `{key}`")
            rest = content[colon + 1:].strip()
            result[key] = self.nested(indent, depth, True) if not rest else self.value(rest, indent, depth)
        self.expect_end(indent)
        return result

    def expect_end(self, indent: int) -> None:
        line = self.peek()
        if line is not None and line[0] > indent:
            raise Unsupported(f"line {self.index + 1}: unexpected indentation")

    def value(self, text: str, parent: int, depth: int) -> Any:
        """A value written after `key:` or `-` on the same line."""
        first = text[0]
        if first in "[{":
            return self.flow(text, depth)
        if first == "|":
            return self.literal(text, parent)
        if first in "\"'":
            value, end = quoted(text, 0)
            if text[end:].strip():
                raise Unsupported(f"line {self.index}: text after a quoted scalar")
            return value
        return plain_scalar(text)

    def flow(self, text: str, depth: int) -> Any:
        """A flow collection, joining the following lines until its brackets close."""
        while True:
            try:
                parser = _FlowParser(text, depth)
                value = parser.value()
                parser.skip_space()
                if parser.position != len(text):
                    raise Unsupported(f"line {self.index}: text after a flow collection")
                return value
            except _Incomplete:
                line = self.peek()
                if line is None:
                    raise Unsupported("an unclosed flow collection") from None
                text = text + " " + line[1]
                self.index += 1

    def literal(self, header: str, parent: int) -> str:
        chomp = header[1:].strip()
        if chomp not in ("", "-", "+"):
            raise Unsupported(f"block scalar header `{header}`")
        lines: list[str] = []
        content_indent = -1
        while self.index < len(self.lines):
            raw = self.lines[self.index]
            stripped = raw.lstrip(" ")
            if stripped:
                current = len(raw) - len(stripped)
                if current <= parent:
                    break
                if content_indent < 0:
                    content_indent = current
                if current < content_indent:
                    raise Unsupported(f"line {self.index + 1}: a literal block line less indented than the first")
                lines.append(raw[content_indent:])
            else:
                lines.append(raw[content_indent:] if content_indent >= 0 else "")
            self.index += 1
        while lines and not lines[-1].strip(" ") and chomp != "+":
            lines.pop()
        text = "\n".join(lines)
        return text if chomp == "-" or not text else text + "\n"


class _Incomplete(Exception):
    """The flow collection continues on the next line."""


class _FlowParser:
    def __init__(self, text: str, depth: int) -> None:
        self.text = text
        self.position = 0
        self.depth = depth

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position] == " ":
            self.position += 1

    def peek(self) -> str:
        self.skip_space()
        if self.position >= len(self.text):
            raise _Incomplete
        return self.text[self.position]

    def value(self) -> Any:
        char = self.peek()
        if char in "[{":
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise Unsupported("nested too deep")
            result = self.collection(char)
            self.depth -= 1
            return result
        if char in "\"'":
            value, self.position = quoted(self.text, self.position)
            return value
        return self.plain()

    def plain(self) -> Any:
        start = self.position
        while self.position < len(self.text):
            char = self.text[self.position]
            if char in ",[]{}":
                break
            if char == ":" and self.text[self.position + 1:self.position + 2] in ("", " ", ",", "]", "}"):
                break
            self.position += 1
        return plain_scalar(self.text[start:self.position].strip())

    def collection(self, opening: str) -> Any:
        closing = "]" if opening == "[" else "}"
        self.position += 1
        items: list[Any] = []
        members: dict[str, Any] = {}
        while True:
            char = self.peek()
            if char == closing:
                self.position += 1
                return items if opening == "[" else members
            if opening == "[":
                items.append(self.value())
            else:
                self.member(members)
            char = self.peek()
            if char == ",":
                self.position += 1
            elif char != closing:
                raise Unsupported(f"expected `,` or `{closing}` in a flow collection, got `{char}`")

    def member(self, members: dict[str, Any]) -> None:
        key = self.value()
        if not isinstance(key, str):
            raise Unsupported("a non-string key in a flow mapping")
        if self.peek() != ":":
            raise Unsupported(f"flow mapping key `{key}` without a value")
        self.position += 1
        if key in members:
            raise Unsupported(f"duplicate key `{key}`")
        members[key] = None if self.peek() in ",}" else self.value()


def load(text: str) -> Any:
    """The document in ``text``; :class:`Unsupported` for YAML outside the subset."""
    odd = next((char for char in ("\ufeff", "\x85", "\u2028", "\u2029") if char in text), None)
    if odd is not None or "\r" in text.replace("\r\n", ""):
        raise Unsupported(f"a byte-order mark or a line break other than LF and CR LF ({odd or 'CR'!r})")
    reader = _Reader(text)
    first = reader.peek()
    if first is not None and first[1] in ("---", "--- "):
        reader.index += 1
        first = reader.peek()
    if first is None:
        return None
    if first[1].startswith(("%", "---", "...")):
        raise Unsupported("directives and several documents")
    result = reader.block(first[0], 0)
    if reader.peek() is not None:
        raise Unsupported(f"line {reader.index + 1}: unexpected text after the document")
    return result
