import NetworkAddress

extension DecisionReason: CustomStringConvertible {
    /// The reason as the sentence a person reads.
    public var description: String {
        switch self {
        case .toolDeniedByPattern(let tool, let pattern):
            return "tool `\(tool)` is denied by the pattern `\(pattern)`"
        case .toolDeniedByRule(let tool, let rule, let reason, let condition, let outcome):
            return reason ?? "tool `\(tool)` is denied by rule `\(rule)`\(DecisionReason.because(condition, outcome))"
        case .toolNotAllowed(let tool):
            return "tool `\(tool)` matches no allow pattern or rule (denied by default)"
        case .toolAllowedByDefault(let tool):
            return "tool `\(tool)` matches no allow pattern; `defaults.decision` allows it"
        case .toolNeedsApprovalByDefault(let tool):
            return "tool `\(tool)` matches no allow pattern; `defaults.decision` requires approval"
        case .schemaViolation(let tool, let errors):
            // Up to three errors, so that a missing and an extra field are both named.
            let shown = errors.isEmpty ? "invalid" : errors.prefix(3).map(\.description).joined(separator: "; ")
            let more = errors.count > 3 ? " (and \(errors.count - 3) more)" : ""
            return "parameters of `\(tool)` fail its schema: \(shown)\(more)"
        case .chainTooDeep(let depth, let limit):
            return "chain depth \(depth) exceeds budgets.max_chain_depth \(limit)"
        case .costOverLimit(let cost, let limit, let budget):
            return "estimated cost $\(cost) exceeds budgets.\(budget) $\(limit)"
        case .approvalRequired(let tool, let rule, let reason, let condition, let outcome):
            return reason
                ?? "tool `\(tool)` needs approval under rule `\(rule)`\(DecisionReason.because(condition, outcome))"
        case .toolAllowedByPattern(let tool, let pattern):
            return "tool `\(tool)` is allowed by the pattern `\(pattern)`"
        case .toolAllowedByRule(let tool, let rule, let reason):
            return reason ?? "tool `\(tool)` is allowed by rule `\(rule)`"
        default:
            return networkDescription
        }
    }

    private var networkDescription: String {
        switch self {
        case .malformedURL(let why):
            return "URL refused: \(why)"
        case .schemeNotAllowed(let scheme, let allowed):
            return "scheme `\(scheme)` is not allowed (allowed: \(allowed.joined(separator: ", ")))"
        case .portNotAllowed(let port, let allowed):
            let written = port.map(String.init) ?? "(none)"
            return "port \(written) is not allowed (allowed: \(allowed.map(String.init).joined(separator: ", ")))"
        case .methodNotAllowed(let method, let allowed):
            return "method \(method) is not allowed (allowed: \(allowed.joined(separator: ", ")))"
        case .bodyTooLarge(let bytes, let limit):
            return "request body of \(bytes) bytes exceeds network.max_body_bytes \(limit)"
        case .ambiguousIPv4(let host):
            return
                "the host is an IPv4 address with a leading-zero part (octal to some parsers, decimal to others; \(host) here): refused as ambiguous"
        case .addressDenied(let address, let block):
            return "address \(address) is in the denied block \(block)"
        case .addressAllowed(let address, let block):
            return "address \(address) is in the allowed block \(block)"
        case .specialAddress(let address, let kind):
            return "address \(address) is \(kind.rawValue); only an explicit network.allow_cidrs entry allows it"
        case .internalHostName(let host, let why):
            return "host `\(host)` \(why); only an explicit network.allow_domains entry allows it"
        case .domainDenied(let host, let pattern):
            return "host `\(host)` is denied by network.deny_domains `\(pattern)`"
        case .domainAllowed(let host, let pattern):
            return "host `\(host)` is allowed by network.allow_domains `\(pattern)`"
        case .hostNotAllowed(let host):
            return "host `\(host)` is not in network.allow_domains (deny_all_others)"
        case .resolvedAddressAllowed(let address):
            return "address \(address) is a public address"
        case .hostAllowedByDefault(let host):
            return "host `\(host)` is not listed; deny_all_others is false"
        case .metadataDenied(let host):
            return
                "`\(host)` is a cloud metadata endpoint (it hands out the machine's credentials); only network.allow_metadata: true allows it"
        case .metadataAllowed(let host):
            return "`\(host)` is a cloud metadata endpoint; network.allow_metadata is true"
        default:
            return code
        }
    }

    private static func because(_ condition: String?, _ outcome: ConditionOutcome) -> String {
        guard let condition else { return "" }
        switch outcome {
        case .false: return ""
        case .true: return ": `\(condition)` holds"
        case .unknown(let why): return ": `\(condition)` cannot be decided (\(why)), so it fails closed"
        }
    }
}
