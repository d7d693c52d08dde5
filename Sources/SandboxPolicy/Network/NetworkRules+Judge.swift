import NetworkAddress

extension NetworkRules {
    /// The verdict for an HTTP request: allow or deny, the reason and the deciding rule.
    func judge<Sink: TraceSink>(_ request: HTTPRequest, trace: inout Sink) -> (Bool, DecisionReason, String) {
        let url: StrictURL
        do {
            url = try StrictURL(request.url)
            trace.record(
                "network.url", .passed,
                "scheme \(url.scheme), host \(url.host), port \(url.port.map(String.init) ?? "none")")
        } catch {
            trace.record("network.url", .failed, error.description)
            return (false, .malformedURL(error), "network.url")
        }
        guard schemes.contains(url.scheme) else {
            trace.record("network.schemes", .failed, "`\(url.scheme)` not in [\(schemes.joined(separator: ", "))]")
            return (false, .schemeNotAllowed(scheme: url.scheme, allowed: schemes), "network.schemes")
        }
        trace.record("network.schemes", .passed, url.scheme)
        guard let port = url.port, ports.contains(port) else {
            trace.record("network.ports", .failed, "port \(url.port.map(String.init) ?? "none")")
            return (false, .portNotAllowed(port: url.port, allowed: ports), "network.ports")
        }
        trace.record("network.ports", .passed, "port \(port)")
        if let methods {
            guard methods.contains(request.method) else {
                trace.record("network.methods", .failed, request.method)
                return (false, .methodNotAllowed(method: request.method, allowed: methods), "network.methods")
            }
            trace.record("network.methods", .passed, request.method)
        }
        if let maxBodyBytes, let bytes = request.bodyBytes {
            guard bytes <= maxBodyBytes else {
                trace.record("network.max_body_bytes", .failed, "\(bytes) > \(maxBodyBytes)")
                return (false, .bodyTooLarge(bytes: bytes, limit: maxBodyBytes), "network.max_body_bytes")
            }
            trace.record("network.max_body_bytes", .passed, "\(bytes) ≤ \(maxBodyBytes)")
        }
        switch url.host {
        case .ip(let address):
            return judge(address, host: url.host, ambiguous: url.hasAmbiguousIPv4, trace: &trace)
        case .domain(let name):
            return judge(domain: name, host: url.host, trace: &trace)
        }
    }

    /// Judges an IP address. `resolved` marks an address a permitted host name resolved to (the
    /// enforcement point checks each one before connecting, since DNS can point an allowed name
    /// anywhere): then only the CIDR and special-address rules apply, not `deny_all_others`.
    func judge<Sink: TraceSink>(
        _ address: IPAddress, host: HostName, ambiguous: Bool, resolved: Bool = false, trace: inout Sink
    ) -> (Bool, DecisionReason, String) {
        if ambiguous {
            trace.record("network.ip_literal", .failed, "leading-zero IPv4 part")
            return (false, .ambiguousIPv4(host: host), "network.ip_literal")
        }
        for block in denyBlocks {
            if block.block.contains(address) {
                trace.record("\(block.ruleID) \(block.block)", .matched, "\(address)")
                return (false, .addressDenied(address: address, block: block.block), block.ruleID)
            }
            trace.record("\(block.ruleID) \(block.block)", .noMatch, "")
        }
        if CloudMetadata.contains(address) { return judgeMetadata(host, trace: &trace) }
        for block in allowBlocks {
            if block.block.contains(address) {
                trace.record("\(block.ruleID) \(block.block)", .matched, "\(address)")
                return (true, .addressAllowed(address: address, block: block.block), block.ruleID)
            }
            trace.record("\(block.ruleID) \(block.block)", .noMatch, "")
        }
        if let kind = AddressClass.of(address) {
            trace.record("network.special_addresses", .matched, "\(address) is \(kind.rawValue)")
            return (false, .specialAddress(address: address, kind: kind), "network.special_addresses")
        }
        trace.record("network.special_addresses", .noMatch, "\(address) is public")
        if resolved {
            return (true, .resolvedAddressAllowed(address: address), "network.special_addresses")
        }
        if denyAllOthers {
            trace.record("network.deny_all_others", .matched, "")
            return (false, .hostNotAllowed(host: host), "network.deny_all_others")
        }
        trace.record("network.deny_all_others", .noMatch, "false")
        return (true, .hostAllowedByDefault(host: host), "network.deny_all_others")
    }

    private func judge<Sink: TraceSink>(domain name: String, host: HostName, trace: inout Sink) -> (
        Bool, DecisionReason, String
    ) {
        var bytes = name
        return bytes.withUTF8 { judge(domain: name, bytes: $0, host: host, trace: &trace) }
    }

    private func judge<Sink: TraceSink>(
        domain name: String, bytes: UnsafeBufferPointer<UInt8>, host: HostName, trace: inout Sink
    ) -> (Bool, DecisionReason, String) {
        for pattern in denyDomains {
            if pattern.matches(bytes) {
                trace.record("\(pattern.ruleID) \(pattern.source)", .matched, name)
                return (false, .domainDenied(host: name, pattern: pattern.source), pattern.ruleID)
            }
            trace.record("\(pattern.ruleID) \(pattern.source)", .noMatch, "")
        }
        for pattern in NetworkRules.metadataHosts where pattern.matches(bytes) {
            return judgeMetadata(host, trace: &trace)
        }
        for pattern in allowDomains {
            if pattern.matches(bytes) {
                // An internal name is allowed only by an entry inside its internal zone: `nip.io`
                // or `x.nip.io` allows `x.nip.io`, a broad `io` or `*.io` does not.
                if pattern.coversInternalZone, let zone = InternalNames.zone(bytes),
                    !pattern.domain.withUnsafeBufferPointer({ zone.pattern.matches($0) })
                {
                    trace.record(
                        "\(pattern.ruleID) \(pattern.source)", .noMatch, "\(name) \(zone.why); list it explicitly")
                    continue
                }
                trace.record("\(pattern.ruleID) \(pattern.source)", .matched, name)
                return (true, .domainAllowed(host: name, pattern: pattern.source), pattern.ruleID)
            }
            trace.record("\(pattern.ruleID) \(pattern.source)", .noMatch, "")
        }
        if let why = InternalNames.reason(bytes) {
            trace.record("network.internal_names", .matched, why)
            return (false, .internalHostName(host: name, why: why), "network.internal_names")
        }
        trace.record("network.internal_names", .noMatch, "")
        if denyAllOthers {
            trace.record("network.deny_all_others", .matched, "")
            return (false, .hostNotAllowed(host: host), "network.deny_all_others")
        }
        trace.record("network.deny_all_others", .noMatch, "false")
        return (true, .hostAllowedByDefault(host: host), "network.deny_all_others")
    }

    /// A cloud metadata endpoint (by address or host name): allowed only by
    /// `network.allow_metadata: true`, whatever else the policy allows.
    private func judgeMetadata<Sink: TraceSink>(_ host: HostName, trace: inout Sink) -> (Bool, DecisionReason, String) {
        let name = host.description
        if allowMetadata {
            trace.record("network.allow_metadata", .matched, "\(name) is a cloud metadata endpoint; allowed")
            return (true, .metadataAllowed(host: name), "network.allow_metadata")
        }
        trace.record("network.allow_metadata", .failed, "\(name) is a cloud metadata endpoint")
        return (false, .metadataDenied(host: name), "network.allow_metadata")
    }

    /// ``CloudMetadata/hostNames``, compiled for matching on label boundaries.
    static let metadataHosts: [DomainPattern] = CloudMetadata.hostNames.map {
        DomainPattern(source: $0, ruleID: "network.allow_metadata", domain: Array($0.utf8), subdomainsOnly: false)
    }
}
