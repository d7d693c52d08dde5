"""Local static denials: what a policy denies whatever the state (budgets, approvals) and whatever
the parameters, so that the SDK can refuse it without a round trip. Pure: no I/O, no clock.

Only certain denials are decided here; everything else is ``None`` ("ask the server"):

- a tool a ``tools.deny`` pattern matches, or a ``deny`` rule without a condition;
- a tool nothing can admit (no allow pattern, no allow rule, with or without a condition)
  under ``defaults.decision: deny``;
- an HTTP request to a plain ``http``/``https`` URL whose host is a DNS name that no
  ``allow_domains`` entry matches, under ``deny_all_others: true`` and without
  ``allow_metadata`` (every other outcome for such a host is a deny on the server too).

The order of the server's checks differs (``docs/policy.md``, "Evaluation"), so a local denial's
rule and reason can name a different check than the server would; the outcome is the same.
A policy whose text or shape this module does not fully understand gives no local denials. A chain
depth is never judged here (as in the Swift SDK): the server decides it, with the budgets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import yaml_subset
from .glob import glob_matches

_URL = re.compile(r"(https?)://([A-Za-z0-9._-]+)(:[0-9]{1,5})?([/?#][!-~]*)?")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_RULE_ACTIONS = {"allow": "allow", "deny": "deny", "approval": "approval", "needs_approval": "approval",
                 "require_approval": "approval"}


class _Shape(Exception):
    """The policy has a shape this module does not interpret."""


@dataclass(frozen=True)
class LocalDenial:
    """A denial decided without the server: the policy version, the rule and the reason."""

    version: int
    rule: str
    reason: str


@dataclass(frozen=True)
class _Rule:
    name: str
    patterns: tuple[str, ...]
    action: str
    conditional: bool


def _patterns(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _Shape(f"`{what}` is not a pattern or a list of patterns")


def _section(document: dict[str, Any], name: str) -> dict[str, Any]:
    value = document.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Shape(f"`{name}` is not a mapping")
    return value


def _rule(entry: Any, default_name: str, action: str | None) -> _Rule:
    if not isinstance(entry, dict):
        raise _Shape(f"`{default_name}` is not a mapping")
    name = entry.get("name", default_name)
    written = entry.get("action", action)
    if not isinstance(name, str) or not isinstance(written, str) or written not in _RULE_ACTIONS:
        raise _Shape(f"`{default_name}` has no readable name or action")
    patterns = _patterns(entry.get("match", entry.get("tool")), f"{default_name}.match")
    conditional = entry.get("where", entry.get("condition")) is not None
    return _Rule(name, patterns, _RULE_ACTIONS[written] if action is None else action, conditional)


def _domain_entry(entry: str) -> tuple[str, bool]:
    """An ``allow_domains`` entry as the server normalises an ASCII one: lower case, one trailing
    dot dropped, ``*.`` meaning subdomains only."""
    subdomains_only = entry.startswith("*.")
    name = entry[2:] if subdomains_only else entry
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    if not name or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise _Shape(f"`allow_domains` entry `{entry}` is not a plain ASCII name")
    return name, subdomains_only


class StaticPolicy:
    """The statically decidable part of one policy version."""

    def __init__(self, document: Any, version: int) -> None:
        if not isinstance(document, dict):
            raise _Shape("the policy is not a mapping")
        self.version = version
        tools = _section(document, "tools")
        self.deny_patterns = _patterns(tools.get("deny"), "tools.deny")
        self.allow_patterns = _patterns(tools.get("allow"), "tools.allow")
        rules = document.get("rules") or []
        approvals = tools.get("approvals") or []
        if not isinstance(rules, list) or not isinstance(approvals, list):
            raise _Shape("`rules` and `tools.approvals` must be lists")
        self.rules = [_rule(entry, f"rules[{index}]", None) for index, entry in enumerate(rules)]
        self.rules += [_rule(entry, f"tools.approvals[{i}]", "approval") for i, entry in enumerate(approvals)]
        defaults = _section(document, "defaults")
        self.default_denies = defaults.get("decision", "deny") == "deny"
        network = _section(document, "network")
        self.denies_other_hosts = network.get("deny_all_others", True) is True and network.get(
            "allow_metadata", False) is False
        self.allow_domains = [_domain_entry(entry) for entry in _patterns(network.get("allow_domains"),
                                                                          "network.allow_domains")]

    @classmethod
    def from_yaml(cls, text: str, version: int) -> StaticPolicy | None:
        """The static part of a policy text, or ``None`` when it cannot be read exactly."""
        try:
            return cls(yaml_subset.load(text), version)
        except Exception:  # Unsupported, a shape it does not read, an integer over Python's digit limit...
            return None  # local denials are an optimisation: the server decides instead

    def tool_denial(self, tool: str) -> LocalDenial | None:
        """The denial of a tool call whatever its parameters, or ``None`` (ask the server)."""
        if not tool:
            return None  # not a request the server decides (it refuses it): let it say so
        for index, pattern in enumerate(self.deny_patterns):
            if glob_matches(pattern, tool):
                return LocalDenial(self.version, f"tools.deny[{index}]",
                                   f"tool `{tool}` is denied by pattern `{pattern}`")
        matching = [rule for rule in self.rules if any(glob_matches(p, tool) for p in rule.patterns)]
        for rule in matching:
            if rule.action == "deny" and not rule.conditional:
                return LocalDenial(self.version, rule.name, f"tool `{tool}` is denied by rule `{rule.name}`")
        # A conditional deny rule cannot turn a refusal into an admission; an allow rule, with a
        # condition or not, may admit the tool: then the parameters decide (ask the server).
        if any(glob_matches(pattern, tool) for pattern in self.allow_patterns):
            return None
        if any(rule.action == "allow" for rule in matching) or not self.default_denies:
            return None
        return LocalDenial(self.version, "defaults.decision", f"tool `{tool}` matches no allow pattern")

    def http_denial(self, method: str, url: str) -> LocalDenial | None:
        """The denial of an HTTP request to a host no rule allows, or ``None`` (ask the server)."""
        if not self.denies_other_hosts:
            return None
        match = _URL.fullmatch(url)
        if match is None or "\\" in url:
            return None
        host = match.group(2).lower()
        if host.endswith("."):
            host = host[:-1]
        labels = host.split(".")
        if not host or labels[-1][:1].isdigit() or not all(_LABEL.fullmatch(label) for label in labels):
            return None  # an address, or a name the server judges differently: ask it
        for domain, subdomains_only in self.allow_domains:
            if host.endswith("." + domain) or (host == domain and not subdomains_only):
                return None
        return LocalDenial(self.version, "network.deny_all_others",
                           f"host `{host}` is not allowed by any network rule")
