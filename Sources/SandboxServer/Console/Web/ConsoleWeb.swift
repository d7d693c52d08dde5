import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SandboxSigning
import SandboxState

/// The operator console under `/console` on every node (docs/console.md): server-rendered pages
/// (``ConsoleTemplates``) over the node's own functions, never HTTP to itself. Every page needs
/// a console session (the signed cookie of ``Session``; without one, the sign-in page); the
/// session's role decides what a page shows and allows; every form carries its CSRF token.
enum ConsoleWeb {
    /// Largest form a console page posts (a policy upload is the largest).
    static let maxFormBytes = 256 * 1024

    static func add(to router: Router<APIRequestContext>, node: SandboxNode, keys: KeyRing) {
        addSignIn(to: router, node: node)
        addAssets(to: router)
        router.get("/console") { request, _ in try await page(request, node, dashboard) }
        addApprovals(to: router, node: node)
        addSimulator(to: router, node: node)
        addPolicies(to: router, node: node, keys: keys)
        addPolicyActions(to: router, node: node, keys: keys)
        addAudit(to: router, node: node)
        router.get("/console/cluster") { request, _ in try await page(request, node, cluster) }
    }

    /// Who is looking at a page: the session, the caller it stands for now, and its CSRF token.
    struct Viewer {
        var session: Session
        var caller: Caller
        var csrf: String

        var canVote: Bool { (try? caller.require(.approver, tenant: caller.tenant)) != nil }
        var isAdmin: Bool { (try? caller.require(.admin, tenant: caller.tenant)) != nil }
        var role: String {
            switch caller {
            case .dev: return "dev (admin and approver)"
            case .principal(let record): return record.role.name
            case .agent: return "agent"
            }
        }
    }

    /// What a page handler answers: HTML for the layout (title, the navigation's current tab).
    struct Page {
        var title: String
        var tab: String
        var body: String
        var status: HTTPResponse.Status = .ok
    }

    /// The signed-in viewer, or nil (no session, an expired one, a principal since revoked, or
    /// one signed out through any node: checked after a linearizable read point). Without a read
    /// point (no leader now, a node cut off) it throws: a lagging node's state could still hold
    /// a session signed out elsewhere.
    static func viewer(_ request: Request, _ node: SandboxNode) async throws(APIError) -> Viewer? {
        guard let session = (try? node.session(from: request)) ?? nil else { return nil }
        try await node.linearizableRead()
        guard let caller = try? node.sessionCaller(session) else { return nil }
        return Viewer(session: session, caller: caller, csrf: node.sessions.csrfToken(for: session))
    }

    /// A page for a signed-in viewer: 303 to the sign-in page without one; an error becomes a
    /// page saying what went wrong, with its status.
    static func page(
        _ request: Request, _ node: SandboxNode, _ handler: (Request, SandboxNode, Viewer) async throws -> Page
    ) async throws -> Response {
        let viewer: Viewer
        switch await signedIn(request, node) {
        case .success(let found): viewer = found
        case .failure(let refusal): return refusal.response
        }
        do {
            return html(layout(try await handler(request, node, viewer), viewer))
        } catch let error as APIError {
            let body = ConsoleTemplates.render("problem", ["message": error.message])
            return html(layout(Page(title: "Not done", tab: "", body: body, status: error.status), viewer))
        }
    }

    /// A form post from a signed-in viewer: its CSRF token is checked before anything else
    /// (403, nothing done); the handler gets the form's fields.
    static func form(
        _ request: Request, _ node: SandboxNode,
        _ handler: (Request, SandboxNode, Viewer, [String: String]) async throws -> Response
    ) async throws -> Response {
        let viewer: Viewer
        switch await signedIn(request, node) {
        case .success(let found): viewer = found
        case .failure(let refusal): return refusal.response
        }
        let bytes = try await request.bodyBytes(upTo: maxFormBytes)
        guard let fields = FormBody.parse(bytes) else {
            throw APIError.badRequest("the form body is malformed", code: "bad_form")
        }
        try node.checkCSRF(fields["csrf"], for: viewer.session)
        do {
            return try await handler(request, node, viewer, fields)
        } catch let error as APIError {
            let body = ConsoleTemplates.render("problem", ["message": error.message])
            return html(layout(Page(title: "Not done", tab: "", body: body, status: error.status), viewer))
        }
    }

    /// The viewer, or the answer instead of the page: 303 to the sign-in page without a session,
    /// 503 when it cannot be checked now.
    static func signedIn(_ request: Request, _ node: SandboxNode) async -> Result<Viewer, Refusal> {
        do {
            guard let viewer = try await viewer(request, node) else {
                return .failure(Refusal(response: redirect(to: "/console/login")))
            }
            return .success(viewer)
        } catch {
            return .failure(Refusal(response: unavailable(error)))
        }
    }

    /// The answer a request gets instead of its page.
    struct Refusal: Error {
        var response: Response
    }

    /// The page when the session cannot be checked now (no read point): the error's status
    /// (503), nothing done, and no navigation (nobody is known to be signed in).
    static func unavailable(_ error: APIError) -> Response {
        let body = ConsoleTemplates.render("problem", ["message": error.message])
        return html(layout(Page(title: "Not now", tab: "", body: body, status: error.status), nil))
    }

    static let tabs = [
        ("dashboard", "/console", "Dashboard"), ("approvals", "/console/approvals", "Approvals"),
        ("simulate", "/console/simulate", "Simulator"), ("policies", "/console/policies", "Policies"),
        ("audit", "/console/audit", "Audit"), ("cluster", "/console/cluster", "Cluster"),
    ]

    static func layout(_ page: Page, _ viewer: Viewer?) -> (String, HTTPResponse.Status) {
        var data: [String: Any] = ["title": page.title, "body": page.body]
        if let viewer {
            data["viewer"] = [
                "principal": viewer.session.principal, "role": viewer.role, "csrf": viewer.csrf,
                "tabs": tabs.map { id, href, label in
                    ["href": href, "label": label, "current": id == page.tab] as [String: Any]
                },
            ]
        }
        return (ConsoleTemplates.render("layout", data), page.status)
    }

    /// The console's security headers: scripts and styles only from this node (no inline script),
    /// no framing, no referrer, nothing cached.
    static let securityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ page: (String, HTTPResponse.Status)) -> Response {
        html(page.0, status: page.1)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: securityPolicy, HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "same-origin", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 to a console path (after a form post).
    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    /// The `done=` note a form's redirect carries (`published+version+3`), as words: the query
    /// reader decodes percent escapes but not `+`. At most `limit` characters.
    static func doneMessage(_ request: Request, limit: Int) -> String? {
        request.uri.queryParameters.get("done").map {
            String($0.prefix(limit)).replacingOccurrences(of: "+", with: " ")
        }
    }

    /// A path segment for a link or a redirect: percent-encoded but for RFC 3986's pchar
    /// (unreserved, sub-delims, `:` and `@`). The router matches the raw path and does not decode
    /// parameters, so an agent id such as `ops:mail` must stay as it is to find its page.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? ""
    }

    private static let pathCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")

    /// `2026-11-30 14:05:09 UTC` for epoch milliseconds.
    static func time(_ millis: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
