"""The SDK's typed errors. Decisions never raise (they fail closed); these are for bundles,
configuration and the explicit calls that cannot answer with a decision."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error the SDK raises."""


class ConfigurationError(SandboxError):
    """The client was given something it cannot use (no endpoints, a malformed public key)."""


class BundleError(SandboxError):
    """A signed policy bundle was refused: malformed, badly signed, for another agent, or older
    than the version the client holds (a replayed bundle)."""


class UnreachableError(SandboxError):
    """No node answered within the deadline (for calls that cannot fail closed with a deny)."""


class RequestRefused(SandboxError):
    """A node answered a definite error (4xx) that retrying cannot change."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
