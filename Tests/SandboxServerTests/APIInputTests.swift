import JSON
import Testing

@testable import SandboxServer

/// The small parsers of the approval routes: `?wait=`, form bodies, and the body of
/// `POST /v1/approvals`; bad input is refused with what is wrong, never a crash.
@Suite struct APIInputTests {
    @Test func waitDurations() {
        #expect(LongPoll.parse("30s") == .seconds(30))
        #expect(LongPoll.parse("30") == .seconds(30))
        #expect(LongPoll.parse("500ms") == .milliseconds(500))
        #expect(LongPoll.parse("1m") == .seconds(60))
        for bad in ["", "s", "-1", "1h", "３0", "1.5s", "9999999999", " 30"] {
            #expect(LongPoll.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func formBodies() {
        let fields = FormBody.parse(Array("decision=approve&comment=ok+by%20me%21&csrf=a%2Bb&decision=deny".utf8))
        #expect(fields == ["decision": "approve", "comment": "ok by me!", "csrf": "a+b"])
        #expect(FormBody.parse(Array("a=%zz".utf8)) == nil)
        #expect(FormBody.parse(Array("a=%4".utf8)) == nil)
        #expect(FormBody.parse(Array("a=%ff".utf8)) == nil, "not UTF-8")
        #expect(FormBody.parse(Array("flag&&x=".utf8)) == ["flag": "", "x": ""])
    }

    @Test func approvalRequests() throws {
        let hash = String(repeating: "Ab", count: 32)
        let fields = try ApprovalRequestFields(
            try JSONValue(
                parsing: Array(
                    #"{"agent_id": "a", "tool": "t", "params_hash": "sha256:\#(hash)", "payload_redacted": {"x": 1}}"#
                        .utf8)))
        #expect(fields.hash.count == 32 && fields.payload == #"{"x":1}"#)
        #expect(fields.group == "human" && fields.required == 1 && fields.ttlSeconds == 3600)
        let bad = [
            #"[]"#, #"{"tool": "t", "params_hash": "\#(hash)"}"#, #"{"agent_id": "a", "tool": "t"}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "abc"}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "required_approvals": 0}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "required_approvals": 17}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "ttl_seconds": -5}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "ttl_seconds": "1h"}"#,
            #"{"agent_id": "", "tool": "t", "params_hash": "\#(hash)"}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "required_approvals": "2"}"#,
        ]
        for text in bad {
            #expect(throws: APIError.self, "\(text)") {
                try ApprovalRequestFields(try JSONValue(parsing: Array(text.utf8)))
            }
        }
    }
}
