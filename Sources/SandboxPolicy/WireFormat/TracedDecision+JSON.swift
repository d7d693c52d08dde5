import JSON

extension TracedDecision {
    /// ``Decision/jsonValue`` plus `trace`: a list of `{check, result, detail}`.
    public var jsonValue: JSONValue {
        guard case .object(var members) = decision.jsonValue else { return decision.jsonValue }
        members["trace"] = .array(
            steps.map { step in
                .object([
                    "check": .string(step.check), "result": .string(step.result.rawValue),
                    "detail": .string(step.detail),
                ])
            })
        return .object(members)
    }
}
