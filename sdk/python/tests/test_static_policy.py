"""Local static denials: unit cases, and a differential check against the server's own engine
(`POST /v1/policy/simulate`): whatever the SDK denies locally, the server denies too."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from cluster import REPO, Cluster
from conftest import POLICY

from agent_sandbox import StaticPolicy

SALES = (REPO / "policies/examples/sales_agent.yaml").read_text()
# The server reads no schema files: the support example's file reference is left out.
SUPPORT = (REPO / "policies/examples/support_agent.yaml").read_text().replace(
    "    email.send: schemas/email.send.json\n", "")
CRAFTED = [
    # Rules admit and deny; a conditional allow rule; a default of approval.
    """agent: a
defaults: {decision: deny}
tools:
  allow: "crm.*"
  deny: ["crm.delete", "x[ab]?"]
rules:
  - {name: ok-export, match: [reports.export, "files.*"], where: "rows < 10", action: allow}
  - {name: never, match: "db.*", action: deny}
  - {name: maybe, match: "crm.write", where: "force == true", action: deny}
  - {name: plain-allow, match: "search.web", action: allow}
network:
  allow_domains: ["*.example.com", "Example.ORG."]
""",
    """agent: b
defaults:
  decision: approval
tools:
  deny: payments.*
network:
  deny_all_others: false
""",
    """agent: c
tools:
  allow: ["*"]
  deny: ['\\*', "a\\\\b"]
network:
  allow_metadata: true
budgets: {max_chain_depth: 0}
""",
]
POLICIES = [SALES, SUPPORT, POLICY, *CRAFTED]
TOOLS = ["crm.read", "crm.write", "crm.delete", "email.send", "email.draft", "payments.charge", "payments.refund",
         "prod_db.write", "tickets.export", "tickets.delete", "db.drop", "files.x", "reports.export",
         "search.web", "xa1", "xb", "unknown.tool", "", "crm", "*", "a\\b", "ab", "é.ü"]
URLS = ["https://api.company.com/x", "https://sub.api.company.com", "https://evilapi.company.com/",
        "https://api.company.com.evil.net/", "http://127.0.0.1/", "http://localhost/", "http://2130706433/",
        "http://metadata.google.internal/latest", "https://x.zendesk.com/", "https://zendesk.com/",
        "https://legacy.api.company.com/", "http://10.20.1.1/", "https://API.COMPANY.COM./",
        "https://a.com@api.company.com/", "ftp://api.company.com/", "https://api.company.com:8443/",
        "https://example.com/path?q=1#f", "https://www.example.com/", "https://example.org/a",
        "http://xn--bcher-kva.example/", "https://under_score.example/", "https://-bad.example/",
        "https://nip.io/", "https://1.2.3.4.nip.io/", "https://api.company.com\\@evil.com/", "https://é.com/"]


def test_the_sales_example_denies_what_it_denies_statically() -> None:
    policy = StaticPolicy.from_yaml(SALES, 1)
    assert policy is not None
    assert policy.tool_denial("payments.charge") is not None
    assert policy.tool_denial("prod_db.write") is not None
    assert policy.tool_denial("shell.exec") is not None  # nothing allows it
    assert policy.tool_denial("crm.read") is None
    assert policy.tool_denial("email.send") is None  # the parameters decide
    assert policy.http_denial("GET", "https://evil.example/") is not None
    assert policy.http_denial("GET", "https://api.company.com/v1") is None
    assert policy.http_denial("GET", "http://10.0.0.1/") is None  # an address: the server judges it


@pytest.mark.parametrize("text", ["agent: a\ntools: {allow: &x [a]}\n", "agent: a\ntools:\n  deny: >\n    a\n",
                                  "agent: a\ntools: [1, 2]\n", "agent: a\nnetwork: {allow_domains: [é.com]}\n",
                                  # An integer over Python's digit limit (the server reads it).
                                  "agent: a\ntools: {deny: [x]}\nlimit: " + "9" * 5000 + "\n"])
def test_a_policy_outside_the_understood_subset_gives_no_local_denials(text: str) -> None:
    assert StaticPolicy.from_yaml(text, 1) is None


def _tools(seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    alphabet = "abcx.*?[]!\\-_"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))) for _ in range(40)]
    return [(tool, depth) for tool in TOOLS + names for depth in (0, 3, 5)]


def test_every_local_denial_is_a_server_denial(cluster: Cluster) -> None:
    for index, text in enumerate(POLICIES):
        policy = StaticPolicy.from_yaml(text, 1)
        assert policy is not None, f"policy {index} not understood"
        local_denials = 0
        requests: list[tuple[dict, object]] = []
        for tool, depth in _tools(index):
            requests.append(({"tool": tool, "params": {}, "chain_depth": depth}, policy.tool_denial(tool)))
        for url in URLS:
            requests.append(({"http": {"method": "GET", "url": url}}, policy.http_denial("GET", url)))
        for request, local in requests:
            if local is None:
                continue
            local_denials += 1
            answer = cluster.admin("POST", "/v1/policy/simulate", json={"request": request, "policy": text})
            assert answer["decision"] == "deny", (index, request, local, answer)
        assert local_denials > 0, f"policy {index}: nothing denied locally"


def _mutant(rng: random.Random, text: str) -> str:
    """``text`` with a few random edits of the kinds that change how YAML reads: quotes,
    indentation, flow brackets, comments, dashes, colons."""
    pieces = ["'", '"', " ", "  ", "\n", "#", "- ", ": ", "[", "]", "{", "}", ",", "*", "\\", "|", "\t", "x",
              "\r", "\ufeff", "\u2028", "\x85", "é"]
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.5 and at < len(text):
            text = text[:at] + text[at + rng.randrange(1, 4):]
        else:
            text = text[:at] + rng.choice(pieces) + text[at:]
    return text


def test_mutated_policies_never_give_a_local_denial_the_server_would_not(cluster: Cluster) -> None:
    """A fuzz: random edits of the policies; the reader refuses or reads each (never raises,
    never hangs), and every local denial of a mutant the server accepts is a server denial."""
    rng = random.Random(13)
    checked = 0
    for _ in range(300):
        text = _mutant(rng, rng.choice(POLICIES))
        policy = StaticPolicy.from_yaml(text, 1)
        if policy is None:
            continue
        tools = [t for t in TOOLS if policy.tool_denial(t) is not None][:4]
        urls = [u for u in URLS if policy.http_denial("GET", u) is not None][:2]
        for request in [{"tool": t, "params": {}} for t in tools] + [{"http": {"method": "GET", "url": u}}
                                                                        for u in urls]:
            answer = cluster.http.post(cluster.url(1) + "/v1/policy/simulate", json={"request": request, "policy": text},
                                       headers={"Authorization": f"Bearer {cluster.admin_token}"})
            if answer.status_code == 400:
                break  # the server refuses the mutant itself: nothing to compare
            assert answer.status_code == 200, answer.text
            assert answer.json()["decision"] == "deny", (text, request, answer.json())
            checked += 1
    assert checked > 50
