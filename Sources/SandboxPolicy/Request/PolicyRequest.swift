import NetworkAddress

/// What an agent asks to do: call a tool, or make an HTTP request (or, at the enforcement point,
/// open a connection to an address an allowed host name resolved to). The JSON wire form is read
/// by ``init(json:)`` in `PolicyRequest+JSON.swift`.
public enum PolicyRequest: Sendable, Hashable {
    case toolCall(ToolCall)
    case http(HTTPRequest)
    /// A connection about to be opened to `address`, which an allowed host name resolved to.
    case connection(IPAddress)
}
