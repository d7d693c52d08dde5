import JSON

/// An external email: needs a person's approval, given on another node; the approved call goes
/// through once, and the same call again needs a new approval.
extension Story {
    func sendAnEmailThatNeedsApproval() async throws {
        narrator.section("2. sales_assistant drafts an email to the customer and sends it (outside @company.com)")
        let recipient = "buyer@acme.example"
        let email: JSONValue = [
            "recipient": .string(recipient), "subject": "Your quote", "body": "Hello, the quote is attached.",
        ]
        await attempt("email-draft", sales, "email.draft", ["recipient": .string(recipient), "subject": "Your quote"]) {
            FakeTools.emailDraft(to: recipient, subject: "Your quote")
        }
        let first = await attempt("email-external", sales, "email.send", email) { FakeTools.emailSend(to: recipient) }
        guard first.outcome == "needs_approval", let approval = first.approvalID else {
            narrator.note("(not the expected needs_approval: the approval part is skipped)")
            return
        }
        // The approver works on another node than the one that decided the agent's request.
        let asked = try await operators.decidingNode(
            of: first.requestID ?? "", agent: sales.agentID, through: seed.endpoints[0])
        let voting = (asked ?? 1) % seed.endpoints.count + 1
        let node = seed.endpoints[voting - 1]
        await log.noteApprovalNodes(asked ?? 0, voting)
        narrator.note(
            "node \(asked.map(String.init) ?? "?") decided the request (its audit record says); the agent waits "
                + "(a long poll) while \(seed.approver.id) approves through node \(voting), \(node)")
        async let waited = sales.waitForApproval(approval, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(300))
        let status = try await operators.approve(approval, on: node, comment: "quote checked")
        narrator.outcome(
            "approval-vote", status,
            "approval \(approval), by \(seed.approver.id) through node \(voting) (\(node)); asked on node "
                + (asked.map(String.init) ?? "?"))
        narrator.note("the agent's wait answered: \(await waited)")
        narrator.note("the agent sends the email again (a new request):")
        await attempt("email-retry", sales, "email.send", email) { FakeTools.emailSend(to: recipient) }
        narrator.note("and once more: an approval is good for one call only")
        let second = await attempt("email-second-retry", sales, "email.send", email) {
            FakeTools.emailSend(to: recipient)
        }
        if let next = second.approvalID, next != approval {
            narrator.note("approval \(next) is a new one; approval \(approval) was used up by the call it allowed")
        }
    }
}
