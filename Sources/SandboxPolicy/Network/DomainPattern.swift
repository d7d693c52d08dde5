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
