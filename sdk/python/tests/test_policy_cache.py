"""The signed policy cache: bundles the server signed verify byte for byte, a forged or an older
bundle is refused, a change published on another node arrives by long poll within a second."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from cluster import Cluster, eventually
from conftest import AGENT, KEY, POLICY
from fakes import BundleServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent_sandbox import BundleError, ConfigurationError, KeySet, SandboxClient, canonical_bytes, verify_bundle
from agent_sandbox.cache import PolicyCache
from agent_sandbox.floor import VersionFloor

# Raw in the text: a tab, a CR LF line end, quotes, a backslash, non-ASCII, '<>&' and '/':
# what the canonical form escapes and what it leaves raw.
AWKWARD = POLICY + '# tab\there "quoted" back\\slash é 漢字 <a&b> / end\r\n'


def signed(cluster: Cluster, version: int | None = None) -> dict:
    path = f"/v1/policies/{AGENT}" + (f"/versions/{version}" if version else "")
    answer = cluster.get(path, node=1, headers={"X-Agent-Key": KEY})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_bundle_the_server_signed_verifies_byte_for_byte(cluster: Cluster) -> None:
    version = cluster.publish(AGENT, AWKWARD)
    keys = KeySet.parse(cluster.keys_json())
    bundle = verify_bundle(signed(cluster), keys, AGENT)
    assert bundle.version == version and all(c in bundle.yaml for c in ("漢字", "\t", "\r\n", "\\"))
    with pytest.raises(BundleError, match="not `other`"):
        verify_bundle(signed(cluster), keys, "other")


def test_a_forged_bundle_is_refused_and_the_held_one_kept(cluster: Cluster) -> None:
    good = signed(cluster)
    forged = copy.deepcopy(good)
    forged["bundle"]["yaml"] = good["bundle"]["yaml"].replace("payments.charge", "payments.none")
    forged["bundle"]["sha256"] = hashlib.sha256(forged["bundle"]["yaml"].encode()).hexdigest()
    forged["bundle"]["version"] = good["bundle"]["version"] + 1
    server = BundleServer(good)
    try:
        with SandboxClient(trust_env=False, endpoints=[server.url], agent_id=AGENT, agent_api_key=KEY,
                           local_denials=False, policy_public_key=cluster.keys_json()) as client:
            held = client.wait_for_policy()
            assert held is not None and held["version"] == good["bundle"]["version"]
            server.serve(forged)
            with pytest.raises(BundleError, match="bad signature"):
                client.refresh_policy()
            extra = copy.deepcopy(good)
            extra["bundle"]["mode"] = "allow-everything"  # a member the signature does not cover
            server.serve(extra)
            with pytest.raises(BundleError, match="unknown member"):
                client.refresh_policy()
            assert client.policy()["version"] == good["bundle"]["version"]
            assert "payments.charge" in client.policy()["yaml"]
    finally:
        server.close()


def test_an_older_bundle_is_ignored_not_refused(cluster: Cluster) -> None:
    """A node serving an older version (lagging behind, or a replay) is not a refusal: the newer
    policy stays, local denials stay on, and refreshing returns the held policy."""
    old = signed(cluster, 1)
    cluster.publish(AGENT, POLICY + "# newer\n")
    current = signed(cluster)
    assert current["bundle"]["version"] > 1
    server = BundleServer(current)
    try:
        with SandboxClient(trust_env=False, endpoints=[server.url], agent_id=AGENT, agent_api_key=KEY,
                           local_denials=False, policy_public_key=cluster.keys_json()) as client:
            assert client.wait_for_policy()["version"] == current["bundle"]["version"]
            server.serve(old)  # validly signed, but older than the held one
            held = client.refresh_policy()
            assert held is not None and held["version"] == current["bundle"]["version"]
            assert client.cache is not None and client.cache.refused == 0 and client.cache.stale >= 1
            assert client.cache.static is not None, "local denials stay on"
    finally:
        server.close()


def test_a_policy_published_on_another_node_is_seen_within_a_second(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False, endpoints=[cluster.url(1)], agent_id=AGENT, agent_api_key=KEY,
                       policy_public_key=cluster.keys_json()) as client:
        held = client.wait_for_policy()
        assert held is not None
        time.sleep(0.5)  # the long poll is waiting on node 1
        version = cluster.publish(AGENT, POLICY + "# published on node 3\n", node=3)
        published = time.monotonic()
        eventually("the new version in the cache", lambda: client.policy()["version"] == version, timeout=5)
        assert time.monotonic() - published < 1.0
        assert client.policy()["yaml"].endswith("# published on node 3\n")


def test_the_held_version_with_another_text_is_refused(cluster: Cluster) -> None:
    """Two validly signed texts for one version (a signing key misused): the second is refused."""
    good = signed(cluster)
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(cluster.signing_key))
    other = dict(good["bundle"], yaml=good["bundle"]["yaml"] + "# another text\n")
    other["sha256"] = hashlib.sha256(other["yaml"].encode()).hexdigest()
    twin = {"bundle": other, "key_id": good["key_id"],
            "signature": base64.b64encode(key.sign(canonical_bytes(other))).decode()}
    assert verify_bundle(twin, KeySet.parse(cluster.keys_json()), AGENT).version == good["bundle"]["version"]
    server = BundleServer(good)
    try:
        with SandboxClient(trust_env=False, endpoints=[server.url], agent_id=AGENT, agent_api_key=KEY,
                           local_denials=False, policy_public_key=cluster.keys_json()) as client:
            assert client.wait_for_policy() is not None
            server.serve(twin)
            with pytest.raises(BundleError, match="another text"):
                client.refresh_policy()
            assert client.policy()["sha256"] == good["bundle"]["sha256"]
    finally:
        server.close()


def test_the_held_version_served_under_a_new_etag_keeps_that_etag(cluster: Cluster) -> None:
    """The ETag names the signing key too: after a key rotation the same version comes with a new
    one, and a poll with the old one would download the whole bundle every time."""
    good = signed(cluster)
    cache = PolicyCache(AGENT, KeySet.parse(cluster.keys_json()), lambda: None)  # type: ignore[arg-type, return-value]
    assert cache.offer(good, '"7-aaaa"')
    assert not cache.offer(good, '"7-bbbb"')
    assert cache.etag == '"7-bbbb"'


def test_while_bundles_are_refused_nothing_is_denied_locally(cluster: Cluster) -> None:
    good = signed(cluster)
    forged = copy.deepcopy(good)
    forged["bundle"]["ts"] += 1
    cache = PolicyCache(AGENT, KeySet.parse(cluster.keys_json()), lambda: None)  # type: ignore[arg-type, return-value]
    assert cache.offer(good) and cache.static is not None
    with pytest.raises(BundleError):
        cache.offer(forged)  # say, bundles signed by a key this client is not configured with
    assert cache.static is None and cache.bundle is not None  # the server decides; the policy is still shown
    assert not cache.offer(good)
    assert cache.static is not None


def test_a_bundle_below_the_minimum_version_is_refused(cluster: Cluster) -> None:
    current = signed(cluster)
    server = BundleServer(current)
    try:
        with SandboxClient(endpoints=[server.url], agent_id=AGENT, agent_api_key=KEY, trust_env=False,
                           local_denials=False, policy_public_key=cluster.keys_json(),
                           min_policy_version=current["bundle"]["version"] + 1) as client:
            with pytest.raises(BundleError, match="below the minimum version"):
                client.refresh_policy()
            assert client.policy() is None and client.cache is not None and client.cache.static is None
    finally:
        server.close()


def test_the_persisted_floor_refuses_a_lower_version_after_a_restart(cluster: Cluster, tmp_path: Path) -> None:
    """With ``policy_version_floor_file`` the highest version verified survives the client: a new
    client (the agent restarted) refuses a lower one; a corrupt or another agent's file is an
    error at creation, not a silent reset."""
    old = signed(cluster, 1)
    cluster.publish(AGENT, POLICY + "# floor\n")
    current = signed(cluster)
    floor = tmp_path / "floor.json"
    server = BundleServer(current)
    options = dict(trust_env=False, endpoints=[server.url], agent_id=AGENT, agent_api_key=KEY, local_denials=False,
                   policy_public_key=cluster.keys_json(), policy_version_floor_file=floor)
    try:
        with SandboxClient(**options) as client:  # type: ignore[arg-type]
            assert client.wait_for_policy()["version"] == current["bundle"]["version"]
        stored = json.loads(floor.read_text())
        assert stored == {"agent_id": AGENT, "policy_version": current["bundle"]["version"]}
        assert [path.name for path in tmp_path.iterdir()] == ["floor.json"], "no temporary file left"
        server.serve(old)
        with SandboxClient(**options) as restarted:  # type: ignore[arg-type]
            with pytest.raises(BundleError, match="below the minimum version"):
                restarted.refresh_policy()
            assert restarted.policy() is None
    finally:
        server.close()
    for text, expected in [("{not json", "is not"), ('{"agent_id": "sdk_agent", "policy_version": -1}', "is not"),
                           ('{"agent_id": "other", "policy_version": 3}', "agent `other`'s")]:
        floor.write_text(text)
        with pytest.raises(ConfigurationError, match=expected):
            SandboxClient(**options)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="needs the policy cache"):
        SandboxClient(endpoints=[cluster.url(1)], agent_id=AGENT, agent_api_key=KEY, policy_version_floor_file=floor)


def test_the_floor_file_is_replaced_whole_and_keeps_the_highest_version(tmp_path: Path) -> None:
    path = tmp_path / "floor.json"
    floor = VersionFloor(path, "a")
    assert floor.stored == 0 and not path.exists()
    for version in (3, 2, 7, 7):
        floor.raise_to(version)
    assert json.loads(path.read_text()) == {"agent_id": "a", "policy_version": 7}
    assert VersionFloor(path, "a").stored == 7 and sorted(p.name for p in tmp_path.iterdir()) == ["floor.json"]
    path.chmod(0o000)
    if os.geteuid() != 0:  # root reads whatever the mode
        with pytest.raises(ConfigurationError, match="cannot be read"):
            VersionFloor(path, "a")
    path.chmod(0o600)
    blocked = VersionFloor(tmp_path / "missing-dir" / "floor.json", "a")
    blocked.raise_to(9)  # the directory does not exist: the write fails, the floor stays in memory
    assert blocked.stored == 0 and blocked.last_error is not None and "missing-dir" in blocked.last_error
