import JSON
import JSONSchema

/// What an agent asks to do: call a tool, or make an HTTP request.
public enum PolicyRequest: Sendable, Hashable {
    case toolCall(ToolCall)
    case http(HTTPRequest)
    /// A connection about to be opened to `address`, which an allowed host name resolved to.
    case connection(IPAddress)

    /// Reads the wire form: `{"tool": "email.send", "params": {...}, "chain_depth": 1,
    /// "cost_usd": 0.01}` or `{"http": {"method": "GET", "url": "https://...", "body_bytes": 0}}`.
    public init(json: JSONValue) throws(RequestError) {
        guard case .object(let members) = json else { throw RequestError("a request must be a JSON object") }
        if let http = members["http"] {
            try RequestError.onlyKeys(members, ["http", "chain_depth"], "an HTTP request")
            guard case .object(let fields) = http else { throw RequestError("`http` must be an object") }
            try RequestError.onlyKeys(fields, ["method", "url", "body_bytes"], "`http`")
            guard case .string(let url) = fields["url"] else { throw RequestError("`http.url` must be a string") }
            var method = "GET"
            if let value = fields["method"] {
                guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 32 else {
                    throw RequestError("`http.method` must be a method name such as GET")
                }
                method = text.uppercased()
            }
            let bodyBytes = try RequestError.count(fields["body_bytes"], "http.body_bytes")
            let depth = try RequestError.count(members["chain_depth"], "chain_depth")
            self = .http(HTTPRequest(method: method, url: url, bodyBytes: bodyBytes, chainDepth: depth))
            return
        }
        try RequestError.onlyKeys(members, ["tool", "params", "chain_depth", "cost_usd"], "a tool call")
        guard case .string(let tool) = members["tool"], !tool.isEmpty else {
            throw RequestError("a request needs `tool` (a tool name) or `http` (an HTTP request)")
        }
        let parameters = members["params"] ?? .object([:])
        guard case .object = parameters else { throw RequestError("`params` must be a JSON object") }
        let depth = try RequestError.count(members["chain_depth"], "chain_depth") ?? 0
        var cost: JSONNumber? = nil
        if let value = members["cost_usd"] {
            guard case .number(let number) = value, number >= JSONNumber(0) else {
                throw RequestError("`cost_usd` must be a number ≥ 0")
            }
            cost = number
        }
        self = .toolCall(ToolCall(tool: tool, parameters: parameters, chainDepth: depth, costUSD: cost))
    }
}

/// A tool call: the tool's name, its JSON parameters, how deep in an agent chain it is made and
/// what it is estimated to cost.
public struct ToolCall: Sendable, Hashable {
    public var tool: String
    public var parameters: JSONValue
    public var chainDepth: Int
    public var costUSD: JSONNumber?

    public init(tool: String, parameters: JSONValue = .object([:]), chainDepth: Int = 0, costUSD: JSONNumber? = nil) {
        self.tool = tool
        self.parameters = parameters
        self.chainDepth = chainDepth
        self.costUSD = costUSD
    }
}

/// An HTTP request an agent wants to make.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var bodyBytes: Int?
    public var chainDepth: Int?

    public init(method: String = "GET", url: String, bodyBytes: Int? = nil, chainDepth: Int? = nil) {
        self.method = method
        self.url = url
        self.bodyBytes = bodyBytes
        self.chainDepth = chainDepth
    }
}

/// A request that is not well-formed.
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func onlyKeys(_ members: [String: JSONValue], _ known: [String], _ what: String) throws(RequestError) {
        for key in members.keys.sorted() where !known.contains(key) {
            let hint = Suggestion.closest(to: key, among: known).map { "; did you mean `\($0)`?" } ?? ""
            throw RequestError("unknown key `\(key)` in \(what)\(hint) (known: \(known.joined(separator: ", ")))")
        }
    }

    static func count(_ value: JSONValue?, _ name: String) throws(RequestError) -> Int? {
        guard let value else { return nil }
        guard case .number(let number) = value, let int = number.int64Value, int >= 0, int <= 1 << 40 else {
            throw RequestError("`\(name)` must be a whole number ≥ 0")
        }
        return Int(int)
    }
}
