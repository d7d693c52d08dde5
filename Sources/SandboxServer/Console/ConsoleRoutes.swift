import Foundation
import HTTPTypes
import Hummingbird
import SandboxState

/// The MVP's approvals page on every node: `GET /approvals` (the login form, or the queue),
/// `POST /approvals/login` (a token → a signed session cookie: HttpOnly, SameSite=Strict,
/// Secure under TLS) and `POST /approvals/logout`. Votes post to
/// `/v1/approvals/{id}/decision` with the session's CSRF token (``ApprovalRoutes``).
enum ConsoleRoutes {
    static let pageSize = 200
    static let maxFormBytes = 4096

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/approvals") { request, context -> Response in
            try await page(request, context, node)
        }
        router.post("/approvals/login") { request, context -> Response in
            try await login(request, context, node)
        }
        router.post("/approvals/logout") { request, _ -> Response in
            guard let session = try? node.session(from: request) else { return redirect(clearing: true) }
            let fields = FormBody.parse(try await request.bodyBytes(upTo: maxFormBytes)) ?? [:]
            try node.checkCSRF(fields["csrf"], for: session)
            try await node.endSessions(of: session)
            return redirect(clearing: true)
        }
    }

    static func page(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let session: Session?
        do {
            session = try node.session(from: request)
        } catch {
            var response = html(ApprovalsPage.login(message: error.message, devHint: node.config.dev))
            response.headers[.setCookie] = cookieHeader("", maxAge: 0)
            return response
        }
        guard let session else { return html(ApprovalsPage.login(message: nil, devHint: node.config.dev)) }
        // After the read point: a logout through another node is seen.
        try await node.linearizableRead()
        let caller = try node.sessionCaller(session)
        let now = ApprovalRoutes.nowMillis()
        let page = try ApprovalRoutes.visiblePage(
            caller, status: .pending, after: nil, limit: pageSize, atMillis: now, node)
        let canVote = (try? caller.require(.approver, tenant: caller.tenant)) != nil
        return html(
            ApprovalsPage.queue(
                page.records, principal: session.principal, canVote: canVote,
                csrf: node.sessions.csrfToken(for: session), nowMillis: now, more: page.next != nil))
    }

    static func login(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        switch try await signIn(request, context, node) {
        case .refused(let message, let status):
            return html(ApprovalsPage.login(message: message, devHint: node.config.dev), status: status)
        case .signedIn(let cookie):
            var response = redirect(clearing: false)
            response.headers[.setCookie] = cookie
            return response
        }
    }

    /// What a login form gives: the session cookie's `Set-Cookie` value, or why not.
    enum SignIn {
        case signedIn(cookie: String)
        case refused(String, HTTPResponse.Status)
    }

    /// Checks a posted login form (this node's own page, a valid operator token; `--dev`'s empty
    /// token from loopback) and issues the signed session cookie (``SessionSigner``).
    static func signIn(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> SignIn
    {
        if let refusal = crossSiteLogin(request) { return .refused(refusal, .forbidden) }
        guard let fields = FormBody.parse(try await request.bodyBytes(upTo: maxFormBytes)) else {
            throw APIError.badRequest("the form body is malformed", code: "bad_form")
        }
        var head = request.head
        head.headerFields[.cookie] = nil
        if let token = fields["token"], !token.isEmpty { head.headerFields[.authorization] = "Bearer \(token)" }
        let caller: Caller
        do {
            caller = try await node.caller(
                for: Request(head: head, body: .init(buffer: ByteBuffer())), context: context)
        } catch {
            return .refused(error.message, .unauthorized)
        }
        guard let (kind, principal) = SandboxNode.sessionKind(of: caller) else {
            return .refused("agent keys cannot log in to the console", .forbidden)
        }
        let nonce = (0..<Session.nonceBytes).map { _ in UInt8.random(in: 0...255) }
        try await node.linearizableRead()
        let generation = try node.readState { try $0.sessionGeneration(of: principal, kind: kind.rawValue) }
        let (cookie, _) = node.sessions.issue(
            kind, principal: principal, nowSeconds: SandboxNode.nowSeconds(), nonce: nonce, generation: generation,
            credential: SandboxNode.credentialTag(of: caller))
        return .signedIn(
            cookie: cookieHeader(
                cookie, maxAge: Int(SessionSigner.lifetimeSeconds), secure: node.config.tlsCertificateFile != nil))
    }

    /// Why a login form may not be taken: a browser posting it from another site (login CSRF: a
    /// page logging the victim in as the attacker); nil for this page's own form and for clients
    /// that send no `Origin` / `Sec-Fetch-Site`.
    static func crossSiteLogin(_ request: Request) -> String? {
        if let site = SandboxNode.header(request, "sec-fetch-site"), !["same-origin", "none"].contains(site) {
            return "a login form posted from another site (\(site.prefix(20))) is refused: use this node's page"
        }
        if let origin = DevBrowserGuard.foreignOrigin(request) {
            return "a login form posted from \(origin.prefix(100)) is refused: use this node's page"
        }
        return nil
    }

    /// The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
    /// sends it), Secure when the node serves TLS (its configuration: a server-side request
    /// carries no scheme).
    static func cookieHeader(_ value: String, maxAge: Int, secure: Bool = false) -> String {
        let header = "\(SessionSigner.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        return secure ? header + "; Secure" : header
    }

    /// 303 to the page (after a login, a logout or a vote from the page).
    static func redirect(clearing: Bool) -> Response {
        var headers: HTTPFields = [.location: "/approvals", .cacheControl: "no-store"]
        if clearing { headers[.setCookie] = cookieHeader("", maxAge: 0) }
        return Response(status: .seeOther, headers: headers)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
