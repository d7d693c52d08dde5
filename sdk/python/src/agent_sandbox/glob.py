"""Tool patterns: shell ``fnmatch`` globs with the server's semantics (``GlobPattern``).

``*`` matches any run of characters (dots included), ``?`` one character, ``[abc]``, ``[a-z]``
and ``[!abc]`` (or ``[^abc]``) one character of (or not of) a set, ``\\`` makes the next character
literal, and a ``[`` with no closing ``]`` is an ordinary character. Pure: no I/O.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Union

# A pattern is a list of tokens: ``STAR``, or one character's test: ``None`` (any character),
# a ``str`` (that character), or ``(negated, ranges)`` (a set of code point ranges).
STAR = "*star*"
_Set = tuple[bool, tuple[tuple[int, int], ...]]
_Token = Union[str, None, _Set]


def _parse_set(pattern: str, start: int) -> tuple[_Set, int] | None:
    """The set for the ``[...]`` at ``start``, and the index after it; ``None`` without a ``]``."""
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
            # An empty set matches nothing; negated, any one character.
            return (negated, tuple(ranges)), index + 1
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
def _compile(pattern: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            if not tokens or tokens[-1] != STAR:
                tokens.append(STAR)
            index += 1
        elif char == "?":
            tokens.append(None)
            index += 1
        elif char == "[":
            parsed = _parse_set(pattern, index)
            if parsed is None:
                tokens.append(char)
                index += 1
            else:
                tokens.append(parsed[0])
                index = parsed[1]
        elif char == "\\" and index + 1 < len(pattern):
            tokens.append(pattern[index + 1])
            index += 2
        else:
            tokens.append(char)
            index += 1
    return tuple(tokens)


def _accepts(token: _Token, char: str) -> bool:
    if token is None:
        return True
    if isinstance(token, str):
        return token == char
    negated, ranges = token
    code = ord(char)
    return any(low <= code <= high for low, high in ranges) != negated


def glob_matches(pattern: str, candidate: str) -> bool:
    """Whether ``candidate`` matches the whole of ``pattern``: in time proportional to the two
    lengths' product at worst, as the server's matcher (a backtracking regular expression took
    exponential time in the number of ``*`` on a long name that does not match). On a mismatch
    after a ``*``, only the last ``*`` takes one more character: a ``*`` matches any run, so the
    earlier ones need not be revisited."""
    tokens = _compile(pattern)
    at, position = 0, 0
    star, resume = -1, 0
    while position < len(candidate):
        if at < len(tokens) and tokens[at] == STAR:
            star, resume = at, position
            at += 1
        elif at < len(tokens) and _accepts(tokens[at], candidate[position]):
            at += 1
            position += 1
        elif star >= 0:
            at = star + 1
            resume += 1
            position = resume
        else:
            return False
    while at < len(tokens) and tokens[at] == STAR:
        at += 1
    return at == len(tokens)
