"""A node serving HTTPS with a private CA: the SDK trusts it through ``verify=`` and refuses it
(failing closed) without."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from cluster import Cluster
from conftest import AGENT, KEY, seeded

from agent_sandbox import UNREACHABLE, SandboxClient


@pytest.fixture(scope="module")
def tls_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with seeded(Cluster(directory, size=1, tls=(cert, key)), "tls_tenant") as node:
        yield node


def test_https_with_a_private_ca(tls_node: Cluster) -> None:
    cert = str(tls_node.tls[0]) if tls_node.tls else ""
    with SandboxClient(trust_env=False, endpoints=tls_node.urls, agent_id=AGENT, agent_api_key=KEY, verify=cert,
                       policy_public_key=tls_node.keys_json()) as client:
        assert client.tool_call("crm.read", {})["decision"] == "allow"
        assert client.wait_for_policy() is not None
    with SandboxClient(trust_env=False,
                       endpoints=tls_node.urls, agent_id=AGENT, agent_api_key=KEY, deadline=1.0) as client:
        untrusted = client.tool_call("crm.read", {})
    assert untrusted["decision"] == "deny" and untrusted["reason"] == UNREACHABLE, untrusted
