"""Agent Sandbox's Python SDK: ask the cluster before a tool call or an HTTP request.

    from agent_sandbox import SandboxClient

    client = SandboxClient(endpoints=["http://127.0.0.1:8080", "http://127.0.0.1:8081"],
                           agent_id="sales_assistant", agent_api_key="...")
    client.tool_call("crm.read", {"customer_id": "42"})   # {"decision": "allow", "reason": ...}
"""

from .bundle import KeySet, PolicyBundle, canonical_bytes, verify_bundle
from .client import UNREACHABLE, SandboxClient
from .errors import BundleError, ConfigurationError, RequestRefused, SandboxError, UnreachableError
from .static_policy import LocalDenial, StaticPolicy

__all__ = [
    "UNREACHABLE", "BundleError", "ConfigurationError", "KeySet", "LocalDenial", "PolicyBundle",
    "RequestRefused", "SandboxClient", "SandboxError", "StaticPolicy", "UnreachableError", "canonical_bytes",
    "verify_bundle",
]
__version__ = "0.1.0"
