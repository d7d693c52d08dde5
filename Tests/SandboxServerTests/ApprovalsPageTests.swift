import Testing

@testable import SandboxServer
@testable import SandboxState

/// The approvals page escapes every value that comes from an agent, and shows the buttons only
/// to approvers, each form carrying the session's CSRF token.
@Suite struct ApprovalsPageTests {
    static let hostile = #"<script>alert("x")</script>' onmouseover="steal()" &amp;"#

    func record(tool: String, payload: String) -> ApprovalRecord {
        var record = ApprovalRecord(
            id: 12, agent: "agent<b>", tenant: "t", tool: tool, parametersHash: Array(repeating: 0, count: 32),
            redactedParameters: payload, rule: "r", reason: "needs <i>review</i>", requiredApprovals: 2,
            group: "human", createdMillis: 1_000, expiresMillis: 100_000)
        record.votes = [ApprovalVote(principal: "bob\"><img src=x>", approve: true, timeMillis: 2_000, comment: nil)]
        return record
    }

    @Test func hostileValuesAreEscaped() {
        let page = ApprovalsPage.queue(
            [record(tool: Self.hostile, payload: #"{"q":"</pre><script>x()</script>"}"#)],
            principal: "<alice>", canVote: true, csrf: "tok\"en", nowMillis: 62_000, more: false)
        #expect(!page.contains("<script>"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b>"))
        #expect(!page.contains("<i>"))
        #expect(!page.contains(#"" onmouseover"#))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover"))
        #expect(page.contains("&amp;amp;"))
        #expect(page.contains(#"value="tok&quot;en""#))
        #expect(page.contains("1 min"))
        #expect(page.contains("1 of 2"))
    }

    @Test func buttonsOnlyForApproversEachWithTheCSRFToken() {
        let voter = ApprovalsPage.queue(
            [record(tool: "send_email", payload: "{}")], principal: "alice", canVote: true, csrf: "CSRF1",
            nowMillis: 5_000, more: false)
        #expect(voter.components(separatedBy: #"name="csrf" value="CSRF1""#).count - 1 == 3)  // 2 votes + logout
        #expect(voter.contains(#"action="/v1/approvals/12/decision""#))
        #expect(voter.contains(#"name="decision" value="deny""#))
        let viewer = ApprovalsPage.queue(
            [record(tool: "send_email", payload: "{}")], principal: "vic", canVote: false, csrf: "CSRF1",
            nowMillis: 5_000, more: true)
        #expect(!viewer.contains("/decision"))
        #expect(viewer.contains("More approvals"))
    }

    @Test func controlCharactersAreReplaced() {
        #expect(HTML.escape("a\u{0}b\u{1b}c\td") == "a&#xFFFD;b&#xFFFD;c\td")
    }
}
