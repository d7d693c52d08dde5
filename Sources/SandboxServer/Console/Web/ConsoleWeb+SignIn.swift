import Hummingbird

/// Sign-in and sign-out: `GET /console/login` (the form), `POST /console/login` (a token → the
/// session cookie, as the approvals page's login: ``ConsoleRoutes/signIn(_:_:_:)``) and
/// `POST /console/logout` (with the CSRF token: every session of the principal ends on every node).
extension ConsoleWeb {
    static func addSignIn(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/console/login") { request, _ -> Response in
            if (try? await viewer(request, node)) ?? nil != nil { return redirect(to: "/console") }
            return signInPage(message: nil, node)
        }
        router.post("/console/login") { request, context -> Response in
            switch try await ConsoleRoutes.signIn(request, context, node) {
            case .refused(let message, let status):
                return signInPage(message: message, node, status: status)
            case .signedIn(let cookie):
                var response = redirect(to: "/console")
                response.headers[.setCookie] = cookie
                return response
            }
        }
        router.post("/console/logout") { request, _ -> Response in
            var response = redirect(to: "/console/login")
            response.headers[.setCookie] = ConsoleRoutes.cookieHeader("", maxAge: 0)
            guard let session = try? node.session(from: request) else { return response }
            let fields = FormBody.parse(try await request.bodyBytes(upTo: ConsoleRoutes.maxFormBytes)) ?? [:]
            try node.checkCSRF(fields["csrf"], for: session)
            try await node.endSessions(of: session)
            return response
        }
    }

    static func signInPage(message: String?, _ node: SandboxNode, status: HTTPResponse.Status = .ok) -> Response {
        var data: [String: Any] = ["dev": node.config.dev]
        if let message { data["message"] = message }
        let body = ConsoleTemplates.render("signIn", data)
        var response = html(layout(Page(title: "Sign in", tab: "", body: body, status: status), nil))
        if message != nil, status == .unauthorized {
            response.headers[.setCookie] = ConsoleRoutes.cookieHeader("", maxAge: 0)
        }
        return response
    }
}
