import Foundation
import Hummingbird
import JSON

/// `/console/cluster`: every member with its role, term, commit and applied indexes and lag,
/// as the member itself reports them (`/v1/cluster`, asked in parallel, 1 s each); a member
/// that does not answer shows as unreachable; and the leader changes this node has seen
/// (``LeaderChanges``), newest first.
extension ConsoleWeb {
    static func cluster(_ request: Request, _ node: SandboxNode, _ viewer: Viewer) async throws -> Page {
        let status = node.status
        let addresses = (try? node.queries.memberAddresses()) ?? [:]
        let members =
            status.membership.voters.map { ($0, "voter") } + status.membership.learners.map { ($0, "learner") }
        let reports = await withTaskGroup(of: (UInt64, JSONValue?).self) { group in
            for (id, _) in members {
                guard id != status.node, let http = addresses[id]?.http else { continue }
                group.addTask {
                    let answer = await NodeHTTPClient.call(
                        "GET", http, "/v1/cluster", timeout: 1, via: node.config)
                    return (id, answer.flatMap { try? JSONValue(parsing: Array($0.body)) })
                }
            }
            var reports: [UInt64: JSONValue] = [:]
            for await (id, report) in group { reports[id] = report }
            return reports
        }
        let rows = members.map { id, membership -> [String: Any] in
            var row: [String: Any] = [
                "id": id, "membership": membership, "http": addresses[id]?.http ?? "", "self": id == status.node,
            ]
            if id == status.node {
                row["reachable"] = true
                row["role"] = "\(status.role)"
                row["term"] = status.term
                row["commit"] = status.commitIndex
                row["applied"] = status.appliedIndex
                row["lag"] = status.commitIndex &- min(status.commitIndex, status.appliedIndex)
                row["leader"] = status.leader
            } else if let report = reports[id] {
                row["reachable"] = true
                for (key, name) in [
                    ("role", "role"), ("term", "term"), ("commit", "commit_index"), ("applied", "applied_index"),
                    ("lag", "lag"), ("leader", "leader"),
                ] {
                    row[key] = report.member(name).map { $0.stringValue ?? PolicyRoutes.integerText($0) ?? "" } ?? ""
                }
            } else {
                row["reachable"] = false
            }
            return row
        }
        let seen = node.leaderChanges.withLock { $0 }
        let changes = seen.changes.reversed().map { change -> [String: Any] in
            [
                "time": time(change.timeMillis), "term": change.term,
                "leader": change.leader == 0 ? "none (an election)" : "node \(change.leader)",
            ]
        }
        let data: [String: Any] = [
            "changes": changes, "seen": seen.seen, "older": seen.seen > seen.changes.count,
            "members": rows, "node": status.node, "leader": status.leader, "term": status.term,
            "commit": status.commitIndex, "first": status.firstIndex, "last": status.lastIndex,
            "stopped": status.stopped ?? "",
        ]
        return Page(title: "Cluster", tab: "cluster", body: ConsoleTemplates.render("cluster", data))
    }
}
