import Foundation
import Hummingbird
import JSON

/// A deliberately broken behaviour, for the chaos harness's "teeth" test only (chaos/README.md):
/// the harness runs a cluster with it and its checkers must fail. `SANDBOX_CHAOS_BROKEN` names
/// it; a node refuses to start with it unless `SANDBOX_CHAOS_UNSAFE=1` is given too, and one
/// running with it logs an error saying so and names it in `/readyz` (`chaos_broken`) and in
/// `/metrics` (`sandbox_chaos_broken`). A release build has none: it refuses to start with the
/// variable set. Read from the process environment, not from the configuration: it is no
/// setting of the product.
enum ChaosFaultInjection: String, Sendable {
    /// A decision the node could not answer (503: no leader, not applied in time, outcome
    /// unknown) is answered `allow` instead: an acknowledgement of an entry that may never be
    /// committed, and that bypasses the ledger. The answer looks like a real one: its
    /// `decision_id` is the audit sequence the record would have had on this node's state (the
    /// next one), as an answer sent before its entry committed would carry; a leader change then
    /// gives that sequence to another decision, and the acknowledged one is lost.
    case ackUnknownAsAllow = "ack-unknown-as-allow"

    static let variable = "SANDBOX_CHAOS_BROKEN"

    /// The behaviour this process runs with (none unless both variables are set).
    static let active: ChaosFaultInjection? = try? configured(ProcessInfo.processInfo.environment)

    /// The behaviour `environment` asks for; throws for an unknown one, or one without the
    /// explicit `SANDBOX_CHAOS_UNSAFE=1`.
    static func configured(_ environment: [String: String]) throws(ConfigError) -> ChaosFaultInjection? {
        guard let name = environment[variable], !name.isEmpty else { return nil }
        #if !DEBUG
            throw .invalid(
                variable,
                "this is a release build, which has no broken behaviours; unset it (chaos testing uses a debug build)")
        #endif
        guard let behaviour = ChaosFaultInjection(rawValue: name) else {
            throw .invalid(variable, "unknown broken behaviour `\(name)` (known: ack-unknown-as-allow)")
        }
        guard environment["SANDBOX_CHAOS_UNSAFE"] == "1" else {
            throw .invalid(
                variable, "breaks the node on purpose (chaos testing); refused without SANDBOX_CHAOS_UNSAFE=1")
        }
        return behaviour
    }

    /// The lines `/metrics` adds while a broken behaviour is active (Prometheus text format).
    var metricLines: String {
        "# HELP sandbox_chaos_broken A deliberately broken behaviour this node runs with (chaos testing only).\n"
            + "# TYPE sandbox_chaos_broken gauge\nsandbox_chaos_broken{behaviour=\"\(rawValue)\"} 1\n"
    }

    /// The broken answer that replaces `response` to the decision `requestID`, if any;
    /// `nextSequence` is the audit sequence this node's state would give the next record.
    func decision(replacing response: Response, requestID: String, nextSequence: () -> UInt64?) -> Response? {
        guard response.status == .serviceUnavailable else { return nil }
        var answer: [String: JSONValue] = [
            "decision": .string("allow"), "reason": .string("chaos: \(rawValue)"), "rule": .string("chaos"),
            "request_id": .string(requestID), "replayed": .bool(false),
        ]
        if let sequence = nextSequence() { answer["decision_id"] = JSONResponses.number(sequence) }
        return JSONResponses.json(.object(answer))
    }
}
