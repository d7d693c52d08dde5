import Hummingbird

/// `--dev` accepts tokenless admin and approver calls from loopback. A browser on the same
/// machine is on loopback too: a page from anywhere could post a form to
/// `http://127.0.0.1:8080/v1/approvals/7/decision` (cross-site request forgery), or reach the
/// API under its own host name after DNS rebinding. A tokenless call therefore needs a loopback
/// `Host`, and when a browser says where the request comes from (`Origin`, `Sec-Fetch-Site`),
/// that must be this origin. Command-line clients (curl, the MVP's scripts) send neither.
enum DevBrowserGuard {
    /// Why this request may not use the tokenless `--dev` access, or nil when it may.
    static func refusal(_ request: Request) -> String? {
        let host = request.head.authority ?? SandboxNode.header(request, "host")
        guard let host, isLoopbackHost(host) else {
            return "tokenless --dev calls need a loopback Host (127.0.0.1, localhost or [::1])"
        }
        if let site = SandboxNode.header(request, "sec-fetch-site"), !["same-origin", "none"].contains(site) {
            return "a \(site) browser request cannot use the tokenless --dev access"
        }
        if let origin = foreignOrigin(request) {
            return "a request from origin \(origin.prefix(100)) cannot use the tokenless --dev access"
        }
        return nil
    }

    /// The `Origin` a browser sent when it is not this request's own (`http` or `https` with
    /// its `Host`); nil without an `Origin` header (command-line clients) or when it matches.
    static func foreignOrigin(_ request: Request) -> String? {
        guard let origin = SandboxNode.header(request, "origin") else { return nil }
        let host = request.head.authority ?? SandboxNode.header(request, "host") ?? ""
        return !host.isEmpty && (origin == "http://\(host)" || origin == "https://\(host)") ? nil : origin
    }

    /// `host[:port]` names this machine's loopback interface.
    static func isLoopbackHost(_ authority: String) -> Bool {
        var name = Substring(authority.lowercased())
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            name = name[name.index(after: name.startIndex)..<close]
            return name == "::1"
        }
        if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
        return name == "localhost" || name == "127.0.0.1"
    }
}
