"""Tool patterns: shell ``fnmatch`` globs with the server's semantics (``GlobPattern``).

``*`` matches any run of characters (dots included), ``?`` one character, ``[abc]``, ``[a-z]``
and ``[!abc]`` (or ``[^abc]``) one character of (or not of) a set, ``\\`` makes the next character
literal, and a ``[`` with no closing ``]`` is an ordinary character. Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _parse_set(pattern: str, start: int) -> tuple[str, int] | None:
    """The regular-expression class for the ``[...]`` at ``start``, and the index after it."""
    index = start + 1
    negated = False
    if index < len(pattern) and pattern[index] in "!^":
        negated = True
        index += 1
    ranges: list[tuple[int, int]] = []
    first = True
    while index < len(pattern):
        char = pattern[index]
        if char == "]" and not first:
            body = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
            if not body:
                # An empty set matches nothing; negated, any one character.
                return ("[\\s\\S]" if negated else "(?!)"), index + 1
            return ("[^" if negated else "[") + body + "]", index + 1
        first = False
        if char == "\\" and index + 1 < len(pattern):
            index += 1
            char = pattern[index]
        upper = char
        if index + 2 < len(pattern) and pattern[index + 1] == "-" and pattern[index + 2] != "]":
            end = index + 2
            if pattern[end] == "\\" and end + 1 < len(pattern):
                end += 1
            upper = pattern[end]
            index = end
        if ord(char) <= ord(upper):
            ranges.append((ord(char), ord(upper)))
        index += 1
    return None


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            if not parts or parts[-1] != "[\\s\\S]*":
                parts.append("[\\s\\S]*")
            index += 1
        elif char == "?":
            parts.append("[\\s\\S]")
            index += 1
        elif char == "[":
            parsed = _parse_set(pattern, index)
            if parsed is None:
                parts.append(re.escape(char))
                index += 1
            else:
                parts.append(parsed[0])
                index = parsed[1]
        elif char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            parts.append(re.escape(char))
            index += 1
    return re.compile("".join(parts))


def glob_matches(pattern: str, candidate: str) -> bool:
    """Whether ``candidate`` matches the whole of ``pattern``."""
    return _compile(pattern).fullmatch(candidate) is not None
