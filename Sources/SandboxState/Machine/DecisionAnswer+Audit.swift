import JSON

/// A decision's answer is stored once, in its audit record; a retry reads it back from there.
extension DecisionAnswer {
    /// The answer's fields in the audit record (beside `request`, `node`, `tenant`, `seq`, ...).
    var auditFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "request_id": .string(requestID), "agent": .string(agent), "outcome": .string(outcome.rawValue),
            "reason": .string(reason), "rule": .string(rule), "policy_version": .integer(policyVersion),
            "cost_usd_micros": .integer(costMicrodollars),
        ]
        if let approvalID { fields["approval_id"] = .integer(approvalID) }
        if let budget {
            var members: [String: JSONValue] = [
                "day": .integer(budget.day), "requests": .integer(budget.requests),
                "usd_micros": .integer(budget.microdollars),
            ]
            if let limit = budget.maxRequests { members["max_requests"] = .integer(limit) }
            if let limit = budget.maxMicrodollars { members["max_usd_micros"] = .integer(limit) }
            fields["budget"] = .object(members)
        }
        if let shadow {
            fields["shadow"] = .object([
                "policy_version": .integer(shadow.version), "outcome": .string(shadow.outcome.rawValue),
                "rule": .string(shadow.rule),
            ])
        }
        return fields
    }

    /// Writes the decision record's members in sorted order: the answer's, plus `kind`, `node`,
    /// `request` (by `request`), `seq`, `tenant` and `time_ms`. Equal to `auditFields` with those
    /// added, written canonically (a test holds them equal).
    func writeAuditMembers(
        to w: inout CanonicalObjectWriter, sequence: UInt64, timeMillis: UInt64, node: UInt64, tenant: String,
        request: (inout CanonicalObjectWriter) -> Void
    ) {
        w.string("agent", agent)
        if let approvalID { w.integer("approval_id", approvalID) }
        if let budget {
            w.object("budget") { b in
                b.integer("day", budget.day)
                if let limit = budget.maxRequests { b.integer("max_requests", limit) }
                if let limit = budget.maxMicrodollars { b.integer("max_usd_micros", limit) }
                b.integer("requests", budget.requests)
                b.integer("usd_micros", budget.microdollars)
            }
        }
        w.integer("cost_usd_micros", costMicrodollars)
        w.string("kind", "decision")
        w.integer("node", node)
        w.string("outcome", outcome.rawValue)
        w.integer("policy_version", policyVersion)
        w.string("reason", reason)
        w.object("request", request)
        w.string("request_id", requestID)
        w.string("rule", rule)
        w.integer("seq", sequence)
        if let shadow {
            w.object("shadow") { s in
                s.string("outcome", shadow.outcome.rawValue)
                s.integer("policy_version", shadow.version)
                s.string("rule", shadow.rule)
            }
        }
        w.string("tenant", tenant)
        w.integer("time_ms", timeMillis)
    }

    /// Reads the answer back from a decision's audit record body.
    init?(auditBody body: JSONValue, sequence: UInt64) {
        guard case .object(let m) = body, case .string(let requestID)? = m["request_id"],
            case .string(let agent)? = m["agent"], case .string(let rawOutcome)? = m["outcome"],
            let outcome = Outcome(rawValue: rawOutcome), case .string(let reason)? = m["reason"],
            case .string(let rule)? = m["rule"], let version = m["policy_version"]?.unsigned,
            let time = m["time_ms"]?.unsigned
        else { return nil }
        self.requestID = requestID
        self.agent = agent
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.decisionID = sequence
        self.policyVersion = UInt32(truncatingIfNeeded: version)
        self.approvalID = m["approval_id"]?.unsigned
        self.costMicrodollars = m["cost_usd_micros"]?.unsigned ?? 0
        self.timeMillis = time
        self.replayed = true
        if case .object(let b)? = m["budget"], let day = b["day"]?.unsigned {
            budget = BudgetStatus(
                day: UInt32(truncatingIfNeeded: day), requests: b["requests"]?.unsigned ?? 0,
                maxRequests: b["max_requests"]?.unsigned, microdollars: b["usd_micros"]?.unsigned ?? 0,
                maxMicrodollars: b["max_usd_micros"]?.unsigned)
        } else {
            budget = nil
        }
        if case .object(let s)? = m["shadow"], let v = s["policy_version"]?.unsigned,
            case .string(let o)? = s["outcome"], let shadowOutcome = Outcome(rawValue: o),
            case .string(let shadowRule)? = s["rule"]
        {
            shadow = ShadowResult(version: UInt32(truncatingIfNeeded: v), outcome: shadowOutcome, rule: shadowRule)
        } else {
            shadow = nil
        }
    }
}

extension JSONValue {
    /// A non-negative integer member, as stored by the audit writer.
    var unsigned: UInt64? {
        guard case .number(let number) = self, let value = number.int64Value else { return nil }
        return UInt64(bitPattern: value)
    }
}
