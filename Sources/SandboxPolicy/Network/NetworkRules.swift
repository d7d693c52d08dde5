import NetworkAddress

/// The compiled `network` section: judges an HTTP request's URL, method and size.
struct NetworkRules: Sendable {
    let denyAllOthers: Bool
    let allowDomains: [DomainPattern]
    let denyDomains: [DomainPattern]
    let schemes: [String]
    let ports: [Int]
    let allowBlocks: [CIDRRule]
    let denyBlocks: [CIDRRule]
    let methods: [String]?
    let maxBodyBytes: Int?
    /// `network.allow_metadata`: whether cloud metadata endpoints may be reached.
    let allowMetadata: Bool

    init(_ network: PolicyDocument.Network, errors: inout [PolicyDiagnostic]) {
        denyAllOthers = network.denyAllOthers
        allowDomains = NetworkRules.domains(network.allowDomains, "allow_domains", &errors).map { pattern in
            var pattern = pattern
            pattern.coversInternalZone = InternalNames.patterns.contains { zone, _ in
                zone.domain.withUnsafeBufferPointer { pattern.matches($0) }
            }
            return pattern
        }
        denyDomains = NetworkRules.domains(network.denyDomains, "deny_domains", &errors)
        let denied = NetworkRules.blocks(network.denyCIDRs, "deny_cidrs", &errors)
        allowBlocks = NetworkRules.blocks(network.allowCIDRs, "allow_cidrs", &errors, denied: denied)
        denyBlocks = denied
        schemes = network.schemes
        ports = network.ports ?? network.schemes.compactMap { StrictURL.defaultPort($0) }
        methods = network.methods
        maxBodyBytes = network.maxBodyBytes
        allowMetadata = network.allowMetadata
    }

    /// Compiles `allow_domains` or `deny_domains` (`key`); entries that are IP addresses or not
    /// host names are errors, a top-level name in `allow_domains` a warning.
    private static func domains(
        _ patterns: [PolicyDocument.Pattern], _ key: String, _ errors: inout [PolicyDiagnostic]
    ) -> [DomainPattern] {
        var compiled: [DomainPattern] = []
        for (index, pattern) in patterns.enumerated() {
            var text = Substring(pattern.text)
            let subdomainsOnly = text.hasPrefix("*.")
            if subdomainsOnly { text = text.dropFirst(2) }
            let host: HostName
            do {
                host = try HostName.normalize(text).host
            } catch {
                errors.append(PolicyDiagnostic(.error, at: pattern.location, "`\(pattern.text)`: \(error)"))
                continue
            }
            guard case .domain(let name) = host else {
                errors.append(
                    PolicyDiagnostic(
                        .error, at: pattern.location,
                        "`\(pattern.text)` is an IP address; list addresses in network.allow_cidrs / deny_cidrs"))
                continue
            }
            if key == "allow_domains", CloudMetadata.matches(host: name) {
                errors.append(
                    PolicyDiagnostic(
                        .warning, at: pattern.location,
                        "`\(pattern.text)` has no effect: a cloud metadata host is allowed only by network.allow_metadata: true"
                    ))
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
        }
        return compiled
    }

    /// Compiles `allow_cidrs` or `deny_cidrs` (`key`). For `allow_cidrs` (`denied` given), an
    /// entry that opens more than its author may mean draws a warning (see ``exposure(of:denied:)``).
    private static func blocks(
        _ patterns: [PolicyDocument.Pattern], _ key: String, _ errors: inout [PolicyDiagnostic],
        denied: [CIDRRule]? = nil
    ) -> [CIDRRule] {
        var compiled: [CIDRRule] = []
        for (index, pattern) in patterns.enumerated() {
            guard let block = CIDRBlock(pattern.text) else {
                errors.append(
                    PolicyDiagnostic(
                        .error, at: pattern.location,
                        "`\(pattern.text)` is not a CIDR block such as 10.0.0.0/8 or fd00::/8 (host bits must be zero)")
                )
                continue
            }
            if let denied, let exposure = NetworkRules.exposure(of: block, denied: denied.map(\.block)) {
                errors.append(
                    PolicyDiagnostic(.warning, at: pattern.location, "`\(key)` entry `\(pattern.text)` \(exposure)"))
            }
            compiled.append(CIDRRule(block: block, ruleID: "network.\(key)[\(index)]"))
        }
        return compiled
    }
}
