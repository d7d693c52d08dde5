import Foundation
import JSON

extension SandboxNode {
    /// Every member's own `/v1/cluster` answer (voters and learners, this node's included), asked
    /// in parallel at the HTTP addresses recorded in the state, each bounded by `timeout`
    /// seconds; a member without a recorded address, or that did not answer with JSON, is
    /// absent from the result.
    func askEachMember(timeout: Double = 1) async -> [UInt64: JSONValue] {
        let status = self.status
        let recorded = (try? queries.memberAddresses()) ?? [:]
        let members = status.membership.voters + status.membership.learners
        return await withTaskGroup(of: (UInt64, JSONValue?).self) { group in
            for id in members {
                guard let http = recorded[id]?.http else { continue }
                group.addTask {
                    let answer = await NodeHTTPClient.call(
                        "GET", http, "/v1/cluster", timeout: timeout, via: self.config)
                    return (id, answer.flatMap { try? JSONValue(parsing: Array($0.body)) })
                }
            }
            var answers: [UInt64: JSONValue] = [:]
            for await (id, json) in group { answers[id] = json }
            return answers
        }
    }
}
