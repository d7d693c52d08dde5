"""The strict YAML reader: what it reads, and what it refuses to guess."""

from __future__ import annotations

import pytest

from agent_sandbox.glob import glob_matches
from agent_sandbox.yaml_subset import Unsupported, load


def test_block_flow_quoted_and_literal_forms() -> None:
    text = """# a comment
rules:
  - {name: big-refunds, match: payments.refund, where: "amount > 100",
     action: approval, required_approvals: 2}
list:
- a
- 'it''s' # a comment after a quoted scalar
- "tab\\there \\u00e9"
- http://example.com/#anchor
nested:
  inner: {a: [1, 2.5, -3, true, null, ~, yes, 0x1F]}
  apostrophe: don't # plain
block: |
  line # kept
   indented

text: "a: b # c"
"""
    assert load(text) == {
        "rules": [{"name": "big-refunds", "match": "payments.refund", "where": "amount > 100", "action": "approval",
                   "required_approvals": 2}],
        "list": ["a", "it's", "tab\there é", "http://example.com/#anchor"],
        "nested": {"inner": {"a": [1, 2.5, -3, True, None, None, "yes", 31]}, "apostrophe": "don't"},
        "block": "line # kept\n indented\n",
        "text": "a: b # c",
    }


@pytest.mark.parametrize("text", [
    "a: &anchor 1\nb: *anchor\n", "a: !!str 1\n", "a: >\n  folded\n", "a: plain\n  continued\n",
    'a: "two\n  lines"\n', "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "? complex\n: key\n", "a:\n\t- tab\n",
    "a: [1, 2\n", "a: {b}\n", "- - nested\n", "\ufefftools: {deny: [x]}\n", "a: 1\rb: 2\n", "a: x\u2028b: y\n",
    # White space Python's strip() trims and YAML keeps (a pattern `x\u00a0` is not `x`).
    "tools:\n  deny: payments.charge\u00a0\n", "a: [b\u3000]\n", "a:\u2003b\n",
])
def test_anything_outside_the_subset_is_refused(text: str) -> None:
    with pytest.raises(Unsupported):
        load(text)


@pytest.mark.parametrize("pattern, candidate, matches", [
    ("crm.*", "crm.read", True), ("crm.*", "crm", False), ("crm.*", "crm.a.b", True), ("a?c", "abc", True),
    ("[!x]y", "zy", True), ("[^x]y", "xy", False), ("[a", "[a", True), ("a\\*", "a*", True), ("a\\*", "ab", False),
    ("[a-c]", "b", True), ("[]]", "]", True), ("*", "", True), ("é?", "éü", True), ("[z-a]", "z", False),
])
def test_globs_follow_fnmatch(pattern: str, candidate: str, matches: bool) -> None:
    assert glob_matches(pattern, candidate) is matches


def test_a_glob_with_many_stars_on_a_long_name() -> None:
    # Six stars on 256 characters that do not match: a backtracking regular expression (the
    # matcher before) took minutes here; this one does at most pattern x name steps.
    assert not glob_matches("a*a*a*a*a*a*b", "a" * 256)
    assert glob_matches("a*a*a*a*a*a*b", "a" * 255 + "b")
    assert glob_matches("*[!a]*", "a" * 200 + "z") and not glob_matches("*[!a]*", "a" * 201)
