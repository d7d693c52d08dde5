import JSON
import SandboxState
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
            // Agent and group as the state machine stores identifiers: 1 to 128 bytes, no control characters.
            #"{"agent_id": "\#(String(repeating: "a", count: 129))", "tool": "t", "params_hash": "\#(hash)"}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "group": "h\u0001"}"#,
            #"{"agent_id": "a", "tool": "t", "params_hash": "\#(hash)", "group": "\#(String(repeating: "g", count: 200))"}"#,
        ]
        for text in bad {
            #expect(throws: APIError.self, "\(text)") {
                try ApprovalRequestFields(try JSONValue(parsing: Array(text.utf8)))
            }
        }
    }
    /// `POST /v1/decisions`' body: what each member must be, the method upper-cased as the
    /// policy's methods are, `http.body_bytes` passed on (the policy's `max_body_bytes` reads it).
    @Test func decisionBodies() throws {
        func parse(_ text: String) throws -> Result<DecisionRequest, DecisionRoutes.Message> {
            DecisionRoutes.parse(try JSONValue(parsing: Array(text.utf8)))
        }
        guard
            case .success(.tool("crm.read", _, 7, let cost)) = try parse(
                #"{"tool": "crm.read", "chain_depth": 7, "cost_usd": 0.30000000000000004}"#)
        else {
            Issue.record("a tool call with depth and cost")
            return
        }
        #expect(cost?.description == "0.30000000000000004", "rounded up when spent, not refused")
        guard
            case .success(.http("GET", "https://a.example/", 512, nil)) = try parse(
                #"{"http": {"method": "get", "url": "https://a.example/", "body_bytes": 512}}"#)
        else {
            Issue.record("an HTTP request")
            return
        }
        guard case .success(.tool("t", .object, 0, nil)) = try parse(#"{"tool": "t", "extra": 1}"#) else {
            Issue.record("unknown members are ignored, as the MVP's route did")
            return
        }
        let bad = [
            #"[]"#, #"{"tool": ""}"#, #"{"tool": 1}"#, #"{"tool": "t", "params": []}"#,
            #"{"tool": "t", "chain_depth": 4294967296}"#, #"{"tool": "t", "chain_depth": null}"#,
            #"{"tool": "t", "cost_usd": -0.01}"#,
            #"{"tool": "t", "cost_usd": 1.\#(String(repeating: "1", count: 70))}"#,
            #"{"http": {"url": "https://a.example/"}}"#, #"{"http": {"method": "GET", "url": 5}}"#,
            #"{"http": {"method": "GET", "url": "https://a.example/", "body_bytes": 1.5}}"#,
            #"{"http": {"method": "GET", "url": "https://a.example/\#(String(repeating: "a", count: 8 << 10))"}}"#,
            #"{"tool": "t", "params": {"x": "\#(String(repeating: "a", count: 256 << 10))"}}"#,
        ]
        for text in bad {
            // Refused whether or not the body's size is known (the route's and the fast paths' way).
            let json = try JSONValue(parsing: Array(text.utf8))
            for size in [nil, text.utf8.count] {
                guard case .failure = DecisionRoutes.parse(json, bodyBytes: size) else {
                    Issue.record("taken: \(text.prefix(80)), size \(String(describing: size))")
                    continue
                }
            }
        }
    }
}
