/// Host names that name internal services or resolve to an address the caller chooses, refused
/// unless an `allow_domains` entry inside their zone lists them.
enum InternalNames {
    /// Host names (and suffixes) that name internal services or resolve to an address the
    /// caller chooses; refused unless `allow_domains` lists them explicitly.
    static let suffixes: [(String, String)] = [
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
    ]

    static let patterns: [(DomainPattern, String)] = suffixes.map {
        (DomainPattern(source: $0.0, ruleID: "", domain: Array($0.0.utf8), subdomainsOnly: false), $0.1)
    }

    static func reason(_ host: UnsafeBufferPointer<UInt8>) -> String? {
        zone(host)?.why
    }

    /// The most specific internal zone `host` is in (a single-label host is its own zone), or nil.
    static func zone(_ host: UnsafeBufferPointer<UInt8>) -> (pattern: DomainPattern, why: String)? {
        if !host.contains(UInt8(ascii: ".")) {
            let itself = DomainPattern(source: "", ruleID: "", domain: Array(host), subdomainsOnly: false)
            return (itself, "is a single-label name (resolved through local search domains)")
        }
        var best: (pattern: DomainPattern, why: String)? = nil
        for (pattern, why) in patterns where pattern.matches(host) {
            if pattern.domain.count > best?.pattern.domain.count ?? -1 { best = (pattern, why) }
        }
        return best
    }
}
