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

from typing import Any

from .yaml_flow import MAX_DEPTH, FlowParser, Incomplete
from .yaml_scalars import Unsupported, find_key_colon, parse_key, plain_scalar, quoted, strip_comment

__all__ = ["Unsupported", "load"]


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
        if depth > MAX_DEPTH:
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
                parser = FlowParser(text, depth)
                value = parser.value()
                parser.skip_space()
                if parser.position != len(text):
                    raise Unsupported(f"line {self.index}: text after a flow collection")
                return value
            except Incomplete:
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


def load(text: str) -> Any:
    """The document in ``text``; :class:`Unsupported` for YAML outside the subset."""
    odd = next((char for char in ("\ufeff", "\x85", "\u2028", "\u2029") if char in text), None)
    if odd is not None or "\r" in text.replace("\r\n", ""):
        raise Unsupported(f"a byte-order mark or a line break other than LF and CR LF ({odd or 'CR'!r})")
    # Python's strip() also trims white space YAML keeps (U+00A0, U+3000, ...): a pattern read
    # here without it would deny what the server, which keeps it, allows. Such a text is left
    # to the server.
    kept = next((char for char in text if char.isspace() and char not in " \t\n\r"), None)
    if kept is not None:
        raise Unsupported(f"white space YAML does not trim ({kept!r})")
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
