import JSON

extension PolicyRequest {
    /// Reads the wire form: `{"tool": "email.send", "params": {...}, "chain_depth": 1,
    /// "cost_usd": 0.01}` or `{"http": {"method": "GET", "url": "https://...", "body_bytes": 0},
    /// "chain_depth": 1}`. Unknown keys are refused (with the closest known one as a hint);
    /// `cost_usd` must convert exactly to micro-dollars (at most six decimal places).
    public init(json: JSONValue) throws(RequestError) {
        guard case .object(let members) = json else { throw RequestError("a request must be a JSON object") }
        if let http = members["http"] {
            self = .http(try PolicyRequest.httpRequest(http, members))
            return
        }
        try PolicyRequest.onlyKeys(members, ["tool", "params", "chain_depth", "cost_usd"], "a tool call")
        guard case .string(let tool) = members["tool"], !tool.isEmpty else {
            throw RequestError("a request needs `tool` (a tool name) or `http` (an HTTP request)")
        }
        let parameters = members["params"] ?? .object([:])
        guard case .object = parameters else { throw RequestError("`params` must be a JSON object") }
        let depth = try PolicyRequest.count(members["chain_depth"], "chain_depth") ?? 0
        var cost: JSONNumber? = nil
        if let value = members["cost_usd"] {
            guard case .number(let number) = value, MicroUSD.exact(number) != nil else {
                throw RequestError("`cost_usd` must be a number of dollars ≥ 0 with at most six decimal places")
            }
            cost = number
        }
        self = .toolCall(ToolCall(tool: tool, parameters: parameters, chainDepth: depth, costUSD: cost))
    }

    private static func httpRequest(_ http: JSONValue, _ members: JSONObject) throws(RequestError)
        -> HTTPRequest
    {
        try onlyKeys(members, ["http", "chain_depth"], "an HTTP request")
        guard case .object(let fields) = http else { throw RequestError("`http` must be an object") }
        try onlyKeys(fields, ["method", "url", "body_bytes"], "`http`")
        guard case .string(let url) = fields["url"] else { throw RequestError("`http.url` must be a string") }
        var method = "GET"
        if let value = fields["method"] {
            guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 32 else {
                throw RequestError("`http.method` must be a method name such as GET")
            }
            method = text.uppercased()
        }
        let bodyBytes = try count(fields["body_bytes"], "http.body_bytes")
        let depth = try count(members["chain_depth"], "chain_depth")
        return HTTPRequest(method: method, url: url, bodyBytes: bodyBytes, chainDepth: depth)
    }

    private static func onlyKeys(_ members: JSONObject, _ known: [String], _ what: String)
        throws(RequestError)
    {
        for key in members.keys.sorted() where !known.contains(key) {
            let hint = Suggestion.closest(to: key, among: known).map { "; did you mean `\($0)`?" } ?? ""
            throw RequestError("unknown key `\(key)` in \(what)\(hint) (known: \(known.joined(separator: ", ")))")
        }
    }

    private static func count(_ value: JSONValue?, _ name: String) throws(RequestError) -> Int? {
        guard let value else { return nil }
        guard case .number(let number) = value, let int = number.int64Value, int >= 0, int <= 1 << 40 else {
            throw RequestError("`\(name)` must be a whole number ≥ 0")
        }
        return Int(int)
    }
}
