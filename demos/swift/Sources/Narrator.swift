import Foundation
import JSON

/// Prints the story. Lines that begin with `=> STEP: OUTCOME` are the checkable ones
/// (demos/swift/check-narration reads them); everything else is for people.
struct Narrator: Sendable {
    func section(_ title: String) { line("\n== \(title)") }

    func agent(_ text: String) { line("   agent   > \(text)") }

    func sandbox(_ text: String) { line("   sandbox < \(text)") }

    func tool(_ result: JSONValue) { line("   tool    < \(result.serialized()) (fake)") }

    func note(_ text: String) { line("   \(text)") }

    /// A checkable line: the step's name, its outcome (a decision, or a word such as `approved`),
    /// and details for people.
    func outcome(_ step: String, _ outcome: String, _ details: String) {
        line("=> \(step): \(outcome)  \(details)")
    }

    /// A decision's checkable line; `budget` adds the requests the agent has left today.
    func decision(_ step: String, _ decision: DemoDecision, budget: Bool = false) {
        var details = "[\(decision.rule ?? "-")] \(decision.reason)"
        if let approval = decision.approvalID { details += " (approval \(approval))" }
        if budget, let left = decision.requestsLeft { details += " (requests left today: \(left))" }
        if decision.decidedLocally { details += " (decided locally from the signed policy; reported to the audit)" }
        outcome(step, decision.outcome, details)
    }

    func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
