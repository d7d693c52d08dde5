import Foundation

/// A route on a node: the node's base URL (any trailing `/` dropped) followed by `path` (which
/// starts with `/` and may carry a query). The client checks at its creation that every
/// endpoint takes its paths (ASCII, the agent id percent-encoded), so the fallback to the base
/// URL is never taken.
func endpoint(_ node: URL, _ path: String) -> URL {
    var base = node.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    return URL(string: base + path) ?? node
}

/// `/v1/policies/{agent_id}`, the agent id percent-encoded (a `/`, `?` or `#` in it stays in the
/// path segment).
func policyPath(_ agentID: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#%;")
    return "/v1/policies/" + (agentID.addingPercentEncoding(withAllowedCharacters: allowed) ?? agentID)
}

/// `?wait=` in milliseconds, at least 1.
func waitParameter(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    return "\(milliseconds)ms"
}
