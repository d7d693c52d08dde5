"""Flow collections of the policy YAML subset (``yaml_subset``): ``[a, b]`` and ``{k: v}``,
nested. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from .yaml_scalars import Unsupported, plain_scalar, quoted

MAX_DEPTH = 64
"""How deeply collections may nest (block and flow together)."""


class Incomplete(Exception):
    """The flow collection continues on the next line."""


class FlowParser:
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
            raise Incomplete
        return self.text[self.position]

    def value(self) -> Any:
        char = self.peek()
        if char in "[{":
            self.depth += 1
            if self.depth > MAX_DEPTH:
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
