"""Signed policy bundles: canonical bytes and Ed25519 verification, byte for byte as the server
signs them (``Sources/SandboxSigning``). Pure: no I/O, no clock.

The signature covers the ``bundle`` object serialised with keys sorted, no white space, integers
in decimal and strings escaped only where JSON requires (``"``, ``\\``, control characters; any
other character as raw UTF-8).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .errors import BundleError, ConfigurationError

_BUNDLE_KEYS = ("agent_id", "sha256", "ts", "version", "yaml")


@dataclass(frozen=True)
class PolicyBundle:
    """One verified version of an agent's policy."""

    agent_id: str
    version: int
    yaml: str
    sha256: str
    ts: int
    key_id: str


def canonical_bytes(bundle: Mapping[str, Any]) -> bytes:
    """The bytes the server signs for a ``bundle`` object."""
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id(raw_public_key: bytes) -> str:
    """A key's id: the first 8 bytes of the SHA-256 of its 32 raw bytes, in hex."""
    return hashlib.sha256(raw_public_key).digest()[:8].hex()


class KeySet:
    """The public keys bundles are verified against, by key id."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]) -> None:
        if not keys:
            raise ConfigurationError("no public key to verify policy bundles with")
        self.keys = dict(keys)

    @classmethod
    def parse(cls, text: str) -> KeySet:
        """Keys from the JSON of ``GET /v1/keys``, base64 of a raw 32-byte key (several may be
        given one per line), or a PEM public key."""
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                document = json.loads(stripped)
                texts = [str(entry["public_key"]) for entry in document["keys"]]
            except (ValueError, KeyError, TypeError) as error:
                raise ConfigurationError(f"not the JSON of GET /v1/keys: {error}") from error
            return cls.parse("\n".join(texts))
        if stripped.startswith("-----BEGIN"):
            try:
                key = load_pem_public_key(stripped.encode())
            except ValueError as error:
                raise ConfigurationError(f"unreadable PEM public key: {error}") from error
            if not isinstance(key, Ed25519PublicKey):
                raise ConfigurationError("the PEM public key is not an Ed25519 key")
            return cls({key_id(key.public_bytes_raw()): key})
        keys: dict[str, Ed25519PublicKey] = {}
        for line in stripped.splitlines():
            try:
                raw = base64.b64decode(line.strip(), validate=True)
            except (binascii.Error, ValueError) as error:
                raise ConfigurationError(f"public key `{line.strip()}` is not base64") from error
            if len(raw) != 32:
                raise ConfigurationError(f"an Ed25519 public key has 32 bytes, got {len(raw)}")
            keys[key_id(raw)] = Ed25519PublicKey.from_public_bytes(raw)
        return cls(keys)


def _field(bundle: Mapping[str, Any], name: str, kind: type) -> Any:
    value = bundle.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BundleError(f"bundle field `{name}` is missing or not a {kind.__name__}")
    if isinstance(value, int) and value < 0:
        raise BundleError(f"bundle field `{name}` must be a whole number >= 0")
    return value


def verify_bundle(document: Any, keys: KeySet, agent_id: str) -> PolicyBundle:
    """Checks a signed bundle (the body of ``GET /v1/policies/{agent_id}``): only the signed
    fields, a valid signature by a known key, ``sha256`` the digest of ``yaml``, and the agent."""
    if not isinstance(document, dict):
        raise BundleError("the signed bundle must be a JSON object")
    bundle, signature, kid = document.get("bundle"), document.get("signature"), document.get("key_id")
    if not isinstance(bundle, dict) or not isinstance(signature, str) or not isinstance(kid, str):
        raise BundleError("`bundle`, `signature` and `key_id` are required")
    extra = sorted(set(bundle) - set(_BUNDLE_KEYS))
    if extra:
        raise BundleError(f"unknown member `{extra[0]}` in `bundle` (not covered by the signature)")
    fields = {name: _field(bundle, name, int if name in ("ts", "version") else str) for name in _BUNDLE_KEYS}
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BundleError("`signature` is not base64") from error
    key = keys.keys.get(kid)
    if key is None:
        raise BundleError(f"bundle signed by unknown key `{kid}` (known: {', '.join(sorted(keys.keys))})")
    try:
        key.verify(raw_signature, canonical_bytes(fields))
    except UnicodeEncodeError as error:
        raise BundleError("bundle text is not valid Unicode") from error
    except InvalidSignature as error:
        raise BundleError(f"bad signature on the policy bundle (key `{kid}`): refused") from error
    actual = hashlib.sha256(fields["yaml"].encode("utf-8")).hexdigest()
    if actual != fields["sha256"]:
        raise BundleError(f"bundle sha256 `{fields['sha256']}` is not the digest of its yaml (`{actual}`)")
    if fields["agent_id"] != agent_id:
        raise BundleError(f"bundle is for agent `{fields['agent_id']}`, not `{agent_id}`")
    return PolicyBundle(
        agent_id=fields["agent_id"], version=fields["version"], yaml=fields["yaml"], sha256=fields["sha256"],
        ts=fields["ts"], key_id=kid)
