import Foundation
import Hummingbird
import JSON
import Raft
import SandboxState

extension MembershipActions {
    /// The leader's view: every member's role and addresses, and its progress as the member
    /// itself reports it (`/v1/cluster`, ``SandboxNode/askEachMember(timeout:)``): applied index
    /// and lag behind the leader's commit index; `reachable: false` when it did not answer.
    static func status(_ node: SandboxNode) async -> Response {
        let status = node.status
        let recorded = (try? node.queries.memberAddresses()) ?? [:]
        let members =
            status.membership.voters.map { ($0, "voter") } + status.membership.learners.map { ($0, "learner") }
        let progress = await node.askEachMember().compactMapValues { $0.uint64("applied_index") }
        let rows: [JSONValue] = members.map { id, role in
            var row: [String: JSONValue] = ["id": JSONResponses.number(id), "role": .string(role)]
            if let address = recorded[id] {
                row["peer"] = .string(address.peer)
                row["http"] = .string(address.http)
            }
            let applied: UInt64? = id == status.node ? status.appliedIndex : progress[id]
            row["reachable"] = .bool(applied != nil)
            if let applied {
                row["applied_index"] = JSONResponses.number(applied)
                row["lag"] = JSONResponses.number(status.commitIndex &- min(status.commitIndex, applied))
            }
            return .object(row)
        }
        return JSONResponses.json(
            .object([
                "leader": JSONResponses.number(status.leader), "term": JSONResponses.number(status.term),
                "commit_index": JSONResponses.number(status.commitIndex),
                "applied_index": JSONResponses.number(status.appliedIndex), "members": .array(rows),
            ]))
    }
}
