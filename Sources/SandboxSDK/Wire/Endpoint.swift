import Foundation

/// A route on a node: the node's base URL (any trailing `/` dropped) followed by `path` (which
/// starts with `/` and may carry a query).
func endpoint(_ node: URL, _ path: String) -> URL {
    var base = node.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    return URL(string: base + path) ?? node
}

/// `?wait=` in milliseconds, at least 1.
func waitParameter(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    return "\(milliseconds)ms"
}
