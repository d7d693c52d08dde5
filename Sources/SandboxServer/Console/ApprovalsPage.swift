import SandboxState

/// The `/approvals` page (pure rendering): the login form, and the queue of pending approvals
/// with approve / deny buttons that post to `/v1/approvals/{id}/decision` with the session's
/// CSRF token. Every value from the state is escaped (tool names and parameters come from agents).
enum ApprovalsPage {
    static func login(message: String?, devHint: Bool) -> String {
        var body = "<h1>Approvals</h1>"
        if let message { body += "<p><strong>\(HTML.escape(message))</strong></p>" }
        body += """
            <form method="post" action="/approvals/login">
            <label>Token <input type="password" name="token" autocomplete="off" size="40"></label>
            <button type="submit">Log in</button></form>
            """
        if devHint { body += "<p class=\"muted\">--dev: leave the token empty to log in as `dev`.</p>" }
        return HTML.page(title: "Approvals: log in", body: body)
    }

    /// Why a vote from the page was refused, with the way back.
    static func problem(_ message: String) -> String {
        HTML.page(
            title: "Approvals: not done",
            body:
                "<h1>Not done</h1><p>\(HTML.escape(message))</p><p><a href=\"/approvals\">Back to the approvals</a></p>"
        )
    }

    /// The queue as `principal` sees it; `canVote` shows the buttons; `nowMillis` gives the ages.
    static func queue(
        _ approvals: [ApprovalRecord], principal: String, canVote: Bool, csrf: String, nowMillis: UInt64,
        more: Bool
    ) -> String {
        let token = HTML.escape(csrf)
        var body = """
            <h1>Approvals</h1>
            <div>Logged in as <strong>\(HTML.escape(principal))</strong>.
            <form class="inline" method="post" action="/approvals/logout">
            <input type="hidden" name="csrf" value="\(token)"><button type="submit">Log out</button></form>
            <a href="/approvals">Refresh</a></div>
            """
        if approvals.isEmpty {
            body += "<p>No approval is pending.</p>"
            return HTML.page(title: "Approvals", body: body)
        }
        body += "<table><tr><th>#</th><th>Agent</th><th>Tool</th><th>Parameters (redacted)</th>"
        body += "<th>Reason</th><th>Age</th><th>Votes</th><th></th></tr>"
        for record in approvals {
            body += row(record, canVote: canVote, token: token, nowMillis: nowMillis)
        }
        body += "</table>"
        if more { body += "<p class=\"muted\">More approvals are pending than shown here.</p>" }
        return HTML.page(title: "Approvals", body: body)
    }

    static func row(_ record: ApprovalRecord, canVote: Bool, token: String, nowMillis: UInt64) -> String {
        let approvals = record.votes.filter(\.approve).map(\.principal)
        let votes =
            "\(approvals.count) of \(record.requiredApprovals)"
            + (approvals.isEmpty ? "" : " (\(approvals.joined(separator: ", ")))")
        var buttons = "<span class=\"muted\">approvers only</span>"
        if canVote {
            let action = "/v1/approvals/\(record.id)/decision"
            buttons = ["approve", "deny"].map { decision in
                """
                <form class="inline" method="post" action="\(action)">\
                <input type="hidden" name="csrf" value="\(token)">\
                <input type="hidden" name="decision" value="\(decision)">\
                <button type="submit">\(decision == "approve" ? "Approve" : "Deny")</button></form>
                """
            }.joined()
        }
        return """
            <tr><td>\(record.id)</td><td>\(HTML.escape(record.agent))</td><td>\(HTML.escape(record.tool))</td>\
            <td><pre>\(HTML.escape(record.redactedParameters))</pre></td><td>\(HTML.escape(record.reason))</td>\
            <td>\(age(nowMillis > record.createdMillis ? nowMillis - record.createdMillis : 0))</td>\
            <td>\(HTML.escape(votes))</td><td>\(buttons)</td></tr>

            """
    }

    /// `42 s`, `5 min`, `3 h`, `2 d`.
    static func age(_ millis: UInt64) -> String {
        let seconds = millis / 1000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86_400 { return "\(seconds / 3600) h" }
        return "\(seconds / 86_400) d"
    }
}
