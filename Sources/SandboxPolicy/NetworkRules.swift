import NetworkAddress

/// The compiled `network` section: judges an HTTP request's URL, method and size.
struct NetworkRules: Sendable {
    /// A domain from `allow_domains` / `deny_domains`, normalised. `example.com` matches itself
    /// and every subdomain on a label boundary; `*.example.com` matches subdomains only.
    struct DomainPattern: Sendable {
        let source: String
        let ruleID: String
        let domain: [UInt8]
        let subdomainsOnly: Bool
        /// Whether some internal zone lies under this entry (`io` covers `nip.io`), so that a host
        /// it matches may need the internal-zone check; computed for `allow_domains` entries.
        var coversInternalZone = false

        func matches(_ host: UnsafeBufferPointer<UInt8>) -> Bool {
            if host.count == domain.count { return !subdomainsOnly && GlobPattern.equal(host, at: 0, domain) }
            guard host.count > domain.count else { return false }
            let offset = host.count - domain.count
            guard host[offset - 1] == UInt8(ascii: ".") else { return false }
            var index = 0
            while index < domain.count {
                if host[offset + index] != domain[index] { return false }
                index += 1
            }
            return true
        }
    }

    struct Block: Sendable {
        let block: CIDRBlock
        let ruleID: String
    }

    let denyAllOthers: Bool
    let allowDomains: [DomainPattern]
    let denyDomains: [DomainPattern]
    let schemes: [String]
    let ports: [Int]
    let allowBlocks: [Block]
    let denyBlocks: [Block]
    let methods: [String]?
    let maxBodyBytes: Int?

    /// Host names (and suffixes) that name internal services or resolve to an address the
    /// caller chooses; refused unless `allow_domains` lists them explicitly.
    static let internalSuffixes: [(String, String)] = [
        ("localhost", "names the local machine"), ("localdomain", "is a local-only name"),
        ("local", "is a multicast-DNS (.local) name"), ("internal", "is an internal (.internal) name"),
        ("home.arpa", "is a home-network name"), ("lan", "is a private-network name"),
        ("intranet", "is a private-network name"), ("corp", "is a private-network name"),
        ("home", "is a private-network name"),
        ("nip.io", "resolves to whatever address the name spells"),
        ("sslip.io", "resolves to whatever address the name spells"),
        ("xip.io", "resolves to whatever address the name spells"),
        ("localtest.me", "resolves to a loopback address"), ("lvh.me", "resolves to a loopback address"),
        ("vcap.me", "resolves to a loopback address"), ("localh.st", "resolves to a loopback address"),
        ("1u.ms", "is a DNS-rebinding service"), ("rbndr.us", "is a DNS-rebinding service"),
        ("metadata.google.internal", "is a cloud metadata host"),
    ]

    init(_ network: PolicyDocument.Network, errors: inout [PolicyDiagnostic]) {
        denyAllOthers = network.denyAllOthers
        func domains(_ patterns: [PolicyDocument.Pattern], _ key: String) -> [DomainPattern] {
            var compiled: [DomainPattern] = []
            for (index, pattern) in patterns.enumerated() {
                var text = Substring(pattern.text)
                let subdomainsOnly = text.hasPrefix("*.")
                if subdomainsOnly { text = text.dropFirst(2) }
                do {
                    let (host, _) = try HostName.normalize(text)
                    guard case .domain(let name) = host else {
                        errors.append(
                            PolicyDiagnostic(
                                .error, at: pattern.location,
                                "`\(pattern.text)` is an IP address; list addresses in network.allow_cidrs / deny_cidrs"
                            ))
                        continue
                    }
                    if key == "allow_domains", !name.contains(".") {
                        errors.append(
                            PolicyDiagnostic(
                                .warning, at: pattern.location,
                                "`\(pattern.text)` allows every host under the top-level name `\(name)`"))
                    }
                    compiled.append(
                        DomainPattern(
                            source: pattern.text, ruleID: "network.\(key)[\(index)]", domain: Array(name.utf8),
                            subdomainsOnly: subdomainsOnly))
                } catch {
                    errors.append(PolicyDiagnostic(.error, at: pattern.location, "`\(pattern.text)`: \(error)"))
                }
            }
            return compiled
        }
        func blocks(_ patterns: [PolicyDocument.Pattern], _ key: String, denied: [Block]? = nil) -> [Block] {
            var compiled: [Block] = []
            for (index, pattern) in patterns.enumerated() {
                guard let block = CIDRBlock(pattern.text) else {
                    errors.append(
                        PolicyDiagnostic(
                            .error, at: pattern.location,
                            "`\(pattern.text)` is not a CIDR block such as 10.0.0.0/8 or fd00::/8 (host bits must be zero)"
                        ))
                    continue
                }
                if let denied, let exposure = NetworkRules.exposure(of: block, denied: denied.map(\.block)) {
                    errors.append(
                        PolicyDiagnostic(.warning, at: pattern.location, "`\(key)` entry `\(pattern.text)` \(exposure)")
                    )
                }
                compiled.append(Block(block: block, ruleID: "network.\(key)[\(index)]"))
            }
            return compiled
        }
        allowDomains = domains(network.allowDomains, "allow_domains").map { pattern in
            var pattern = pattern
            pattern.coversInternalZone = NetworkRules.internalPatterns.contains { zone, _ in
                zone.domain.withUnsafeBufferPointer { pattern.matches($0) }
            }
            return pattern
        }
        denyDomains = domains(network.denyDomains, "deny_domains")
        let denied = blocks(network.denyCIDRs, "deny_cidrs")
        allowBlocks = blocks(network.allowCIDRs, "allow_cidrs", denied: denied)
        denyBlocks = denied
        schemes = network.schemes
        ports = network.ports ?? network.schemes.compactMap { StrictURL.defaultPort($0) }
        methods = network.methods
        maxBodyBytes = network.maxBodyBytes
    }

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
        for pattern in allowDomains {
            if pattern.matches(bytes) {
                // An internal name is allowed only by an entry inside its internal zone: `nip.io`
                // or `x.nip.io` allows `x.nip.io`, a broad `io` or `*.io` does not.
                if pattern.coversInternalZone, let zone = NetworkRules.internalZone(bytes),
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
        if let why = NetworkRules.internalReason(bytes) {
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

    /// What an `allow_cidrs` block opens up that its author may not mean, as the end of a
    /// warning, or nil: cloud metadata addresses, loopback, or a block wider than /8 (IPv4,
    /// including `::ffff:0:0/96` forms) or /16 (IPv6). Addresses a `deny_cidrs` block refuses
    /// are left out (deny is checked first). A single loopback host (`127.0.0.1`, `::1/128`) is
    /// taken as meant; a single metadata host is still warned about, since metadata services
    /// hand out instance credentials.
    static func exposure(of block: CIDRBlock, denied: [CIDRBlock]) -> String? {
        let metadata = CloudMetadata.addresses.filter { address in
            block.contains(address) && !denied.contains { $0.contains(address) }
        }
        let singleHost: Bool
        var width = block.prefixLength
        var limit = 16
        switch block.address {
        case .v4:
            singleHost = block.prefixLength == 32
            limit = 8
        case .v6:
            singleHost = block.prefixLength == 128
            if block.address.mappedIPv4 != nil, block.prefixLength >= 96 {
                width -= 96
                limit = 8
            }
        }
        let loopback = AddressClass.blocks(of: .loopback)
        let opened =
            singleHost
            ? []
            : loopback.filter { range in
                (block.contains(range.address) || range.contains(block.address))
                    && !denied.contains { $0.prefixLength <= range.prefixLength && $0.contains(range.address) }
            }
        var parts: [String] = []
        if !metadata.isEmpty {
            let addresses = metadata.map(\.description)
            parts.append(
                addresses.count == 1
                    ? "the cloud metadata address \(addresses[0])"
                    : "the cloud metadata addresses (\(addresses.joined(separator: ", ")))")
        }
        if !opened.isEmpty {
            parts.append("loopback (\(opened.map(\.description).joined(separator: ", ")))")
        }
        if width < limit {
            parts.append("every address in a /\(width) block (wider than /\(limit))")
        }
        guard let last = parts.popLast() else { return nil }
        let list = parts.isEmpty ? last : "\(parts.joined(separator: ", ")) and \(last)"
        if singleHost {
            return "allows \(list); keep it only if the agent must reach that cloud service"
        }
        return "allows \(list); list the exact addresses you mean"
    }

    static let internalPatterns: [(DomainPattern, String)] = internalSuffixes.map {
        (DomainPattern(source: $0.0, ruleID: "", domain: Array($0.0.utf8), subdomainsOnly: false), $0.1)
    }

    static func internalReason(_ host: UnsafeBufferPointer<UInt8>) -> String? {
        internalZone(host)?.why
    }

    /// The most specific internal zone `host` is in (a single-label host is its own zone), or nil.
    static func internalZone(_ host: UnsafeBufferPointer<UInt8>) -> (pattern: DomainPattern, why: String)? {
        if !host.contains(UInt8(ascii: ".")) {
            let itself = DomainPattern(source: "", ruleID: "", domain: Array(host), subdomainsOnly: false)
            return (itself, "is a single-label name (resolved through local search domains)")
        }
        var best: (pattern: DomainPattern, why: String)? = nil
        for (pattern, why) in internalPatterns where pattern.matches(host) {
            if pattern.domain.count > best?.pattern.domain.count ?? -1 { best = (pattern, why) }
        }
        return best
    }
}
