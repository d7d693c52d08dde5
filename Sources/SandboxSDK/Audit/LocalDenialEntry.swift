import JSON

/// One local denial as `POST /v1/audit/local-denials` takes it, checked against the server's
/// limits when made (a report with one bad denial is refused whole), with its size for batching.
struct LocalDenialEntry: Sendable {
    let json: JSONValue
    let bytes: Int

    /// Nil when the server would refuse it (a name, URL or parameters over its limits): the
    /// client then asks the server instead of denying locally.
    init?(requestID: String, request: Request, rule: String, reason: String, policyVersion: UInt64) {
        var members: [String: JSONValue] = [
            "request_id": .string(requestID), "rule": .string(Self.cut(rule, 256)),
            "reason": .string(Self.cut(reason, 4096)), "policy_version": .number(JSONNumber(Int64(policyVersion))),
        ]
        switch request {
        case .tool(let name, let params, let chainDepth):
            guard case .object = params, (1...256).contains(name.utf8.count),
                Self.nesting(params, within: Self.maxParamsNesting) <= Self.maxParamsNesting,
                params.serialized().utf8.count <= 256 << 10
            else { return nil }
            members["kind"] = "tool"
            members["tool"] = .string(name)
            members["params"] = params
            members["chain_depth"] = .number(JSONNumber(max(chainDepth, 0)))
        case .http(let method, let url, let chainDepth):
            guard (1...256).contains(method.utf8.count), (1...8192).contains(url.utf8.count) else { return nil }
            members["kind"] = "http"
            members["method"] = .string(method)
            members["url"] = .string(url)
            if let chainDepth { members["chain_depth"] = .number(JSONNumber(max(chainDepth, 0))) }
        }
        guard policyVersion <= UInt64(UInt32.max), (1...128).contains(requestID.utf8.count),
            !requestID.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else { return nil }
        json = .object(members)
        bytes = json.serialized().utf8.count
    }

    enum Request: Sendable {
        case tool(name: String, params: JSONValue, chainDepth: Int)
        case http(method: String, url: String, chainDepth: Int?)
    }

    /// The report's nesting limit (64, as every request body) less the 3 levels above `params`
    /// (the report, its `denials` array, the denial).
    static let maxParamsNesting = 61

    /// How deeply `value` nests (a scalar 0, `{}` 1), counted no further than `limit` + 1.
    static func nesting(_ value: JSONValue, within limit: Int) -> Int {
        let children: [JSONValue]
        switch value {
        case .object(let members): children = Array(members.values)
        case .array(let items): children = items
        default: return 0
        }
        guard limit > 0 else { return 1 }
        return 1 + (children.map { nesting($0, within: limit - 1) }.max() ?? 0)
    }

    /// At most `limit` UTF-8 bytes, cut on a character boundary.
    static func cut(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text.isEmpty ? "-" : text }
        var result = ""
        for character in text {
            if result.utf8.count + character.utf8.count > limit - 3 { break }
            result.append(character)
        }
        return result + "..."
    }
}
