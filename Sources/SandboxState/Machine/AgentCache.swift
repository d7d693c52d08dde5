/// A cache by agent id whose last used agent sits in front of the table. An entry reads and
/// changes one agent's values several times (a decide reads its row six times and changes it
/// twice), and every access to a dictionary hashes the id (a few hundred instructions); the
/// front is compared instead. The front's value is the newest for its agent: the table catches
/// up when another agent comes to the front. No bound of its own: the owner checks ``count``.
/// For small values: one read of a value that is not in front costs a table write more.
struct AgentCache<Value> {
    private var table: [String: Value] = [:]
    /// The front agent, when `frontValue` is not nil (kept apart from it: comparing the id
    /// then copies nothing).
    private var frontAgent = ""
    private var frontValue: Value?

    /// The agent's cached value; reading or setting one brings the agent to the front.
    subscript(agent: String) -> Value? {
        mutating get {
            if frontValue != nil, frontAgent == agent { return frontValue }
            guard let value = table[agent] else { return nil }
            bringToFront(agent, value)
            return value
        }
        set {
            if frontValue != nil, frontAgent == agent {
                if let newValue {
                    frontValue = newValue
                    return
                }
                frontValue = nil
            }
            if let newValue { bringToFront(agent, newValue) } else { table[agent] = nil }
        }
    }

    /// How many agents are cached.
    var count: Int {
        guard frontValue != nil else { return table.count }
        return table.count + (table[frontAgent] == nil ? 1 : 0)
    }

    mutating func removeAll(keepingCapacity: Bool = false) {
        table.removeAll(keepingCapacity: keepingCapacity)
        frontValue = nil
    }

    private mutating func bringToFront(_ agent: String, _ value: Value) {
        if let frontValue { table[frontAgent] = frontValue }
        frontAgent = agent
        frontValue = value
    }
}
