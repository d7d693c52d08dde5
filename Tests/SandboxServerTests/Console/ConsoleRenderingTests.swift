import TestSupport
import Testing

@testable import SandboxServer
@testable import SandboxState

/// The console's pure parts: every template parses and escapes what it is given, the side-by-side
/// diff aligns equal lines, refused uploads are split by line, the chart counts the last hour.
@Suite struct ConsoleRenderingTests {
    static let hostile = #"<script>alert("x")</script>' onmouseover="steal()""#

    @Test func everyTemplateRendersAndEscapes() {
        for name in ConsoleTemplates.sources.keys {
            let page = ConsoleTemplates.render(name, ["title": Self.hostile, "message": Self.hostile])
            #expect(!page.contains("<script>alert"), "\(name)")
        }
    }

    @Test func approvalRowsEscapeAgentValuesAndShowVotesOnlyToApprovers() {
        var record = ApprovalRecord(
            id: 7, agent: "a<b>", tenant: "t", tool: Self.hostile, parametersHash: Array(repeating: 0, count: 32),
            redactedParameters: #"{"q":"</pre><script>x()</script>"}"#, rule: "r", reason: "<i>why</i>",
            requiredApprovals: 2, group: "human", createdMillis: 1_000, expiresMillis: 3_601_000)
        record.votes = [
            ApprovalVote(principal: "bob<img src=x>", approve: true, timeMillis: 2_000, comment: "<b>ok</b>")
        ]
        let session = Session(kind: .dev, principal: "dev", expiresSeconds: 0, nonce: [])
        let approver = ConsoleWeb.Viewer(session: session, caller: .dev, csrf: "C\"SRF")
        let row = ConsoleWeb.approvalRow(record, now: 61_000, approver)
        let html = ConsoleTemplates.render(
            "approvalRows", ["rows": [row], "empty": false, "history": false, "canVote": true, "csrf": approver.csrf])
        for raw in ["<script>", "<img", "<b>", "<i>", #"" onmouseover"#] { #expect(!html.contains(raw), "\(raw)") }
        #expect(html.contains("1 of 2") && html.contains("1 min") && html.contains("59 min"))
        #expect(html.contains(#"action="/console/approvals/7/vote""#))
        #expect(html.contains(#"value="C&quot;SRF""#))
        let viewer = ConsoleTemplates.render(
            "approvalRows", ["rows": [row], "empty": false, "history": false, "canVote": false, "csrf": "x"])
        #expect(!viewer.contains("/vote") && viewer.contains("approvers only"))
    }

    @Test func sideBySideDiffAlignsEqualLines() {
        let diff = SideBySideDiff(old: "a\nb\nc\nd", new: "a\nc\nd\ne")
        #expect(diff.left.map(\.kind) == [.same, .removed, .same, .same, .gap])
        #expect(diff.right.map(\.kind) == [.same, .gap, .same, .same, .added])
        #expect(diff.left.compactMap(\.number) == [1, 2, 3, 4])
        #expect(diff.right.compactMap(\.number) == [1, 2, 3, 4])
        #expect(!SideBySideDiff(old: "x\ny", new: "x\ny").changed)
        #expect(!SideBySideDiff(old: "x\r\ny", new: "x\ny").changed, "a browser's CRLF lines are lines")
    }

    /// Review M3: two 2,000-line texts once filled a 2,001 × 2,001 table (32 MB) per view.
    @Test func theDiffStaysUnderItsCellBudget() {
        let old = (1...2000).map { "line \($0)" }.joined(separator: "\n")
        let everyOther = (1...2000).map { $0 % 2 == 0 ? "changed \($0)" : "line \($0)" }.joined(separator: "\n")
        let wide = SideBySideDiff(old: old, new: everyOther)
        #expect(wide.cells <= SideBySideDiff.maxCells)
        #expect(wide.left.count == wide.right.count && wide.changed)
        // A small change in a long text is still aligned: its equal head and tail cost nothing.
        let edited = old.replacingOccurrences(of: "line 1000\n", with: "line 1000\nline 1000b\n")
        let small = SideBySideDiff(old: old, new: edited)
        #expect(small.cells == 0)
        #expect(small.right.filter { $0.kind == .added }.map(\.text) == ["line 1000b"])
        #expect(small.left.filter { $0.kind == .removed }.isEmpty)
        #expect(small.right.compactMap(\.number).last == 2001)
    }

    /// Any two texts: each side reads back as its text, and a `same` row holds one line twice.
    @Test func theDiffKeepsBothTexts() {
        var random = SeededGenerator(seed: 41)
        for _ in 0..<300 {
            let old = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                "l\(Int.random(in: 0...4, using: &random))"
            }
            let new = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                "l\(Int.random(in: 0...4, using: &random))"
            }
            let diff = SideBySideDiff(old: old.joined(separator: "\n"), new: new.joined(separator: "\n"))
            #expect(diff.left.filter { $0.kind != .gap }.map(\.text) == (old.isEmpty ? [""] : old))
            #expect(diff.right.filter { $0.kind != .gap }.map(\.text) == (new.isEmpty ? [""] : new))
            #expect(
                zip(diff.left, diff.right).allSatisfy { $0.kind != .same || ($1.kind == .same && $0.text == $1.text) })
            #expect(diff.left.compactMap(\.number) == Array(1...max(old.count, 1)))
        }
    }

    @Test func leaderChangesKeepTheNewestDistinctPairs() {
        var changes = LeaderChanges()
        changes.observe(term: 1, leader: 0, atMillis: 1)
        changes.observe(term: 1, leader: 2, atMillis: 2)
        changes.observe(term: 1, leader: 2, atMillis: 3)
        #expect(changes.changes.map(\.leader) == [0, 2] && changes.seen == 2, "the same pair again is no change")
        for term in 2...100 { changes.observe(term: UInt64(term), leader: 1, atMillis: UInt64(term)) }
        #expect(changes.changes.count == LeaderChanges.capacity && changes.seen == 101)
        #expect(changes.changes.first?.term == 51 && changes.changes.last?.term == 100)
    }

    @Test func refusedPolicyProblemsAreReadByLine() {
        let problems = PolicyProblems(
            message: "sales.yaml:3:3: unknown key `alow`; did you mean `allow`?\nsales.yaml:9:1: bad: a:b\nno location",
            agent: "sales")
        #expect(problems.problems.map(\.line) == [3, 9, nil])
        #expect(problems.problems[1].message == "bad: a:b")
        #expect(Set(problems.byLine.keys) == [3, 9] && problems.byLine[9]?.first?.message == "bad: a:b")
        // Review L1: an agent id with `:` once lost every line mark.
        let colon = PolicyProblems(message: "team:sales.yaml:3:3: unknown key", agent: "team:sales")
        #expect(Set(colon.byLine.keys) == [3] && colon.problems[0].message == "unknown key")
        // Thousands of problems: the first 100 listed, the rest counted.
        let many = PolicyProblems(
            message: (1...5_000).map { "sales.yaml:\($0):1: bad" }.joined(separator: "\n"), agent: "sales")
        #expect(many.problems.count == PolicyProblems.maxListed + 1)
        #expect(many.problems.last?.message == "and 4900 more problems, not listed" && many.byLine.count == 100)
        #expect(ConsoleWeb.pathSegment("ops:mail@x") == "ops:mail@x", "review M4: `:` and `@` stay in a path")
        #expect(ConsoleWeb.pathSegment("a b/c?") == "a%20b%2Fc%3F")
    }

    @Test func theChartCountsTheLastHourOnly() {
        var chart = ActivityChart()
        let now: UInt64 = 10_000_000
        chart.count(atMillis: now - 30_000, nowMillis: now, denied: true)
        chart.count(atMillis: now - 30_000, nowMillis: now, denied: false)
        chart.count(atMillis: now - 3_600_001, nowMillis: now, denied: false)
        chart.count(atMillis: now + 1, nowMillis: now, denied: false)
        #expect(chart.decisions.last == 2 && chart.denials.last == 1)
        #expect(chart.decisions.reduce(0, +) == 2)
        #expect(chart.svg.contains("2 decisions in the last hour, 1 denied"))
    }
}
