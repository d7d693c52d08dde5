/// A build too old for the rules the log moved to: applying on would diverge from the other
/// nodes, so apply stops here and the node stops with this message (it applies this entry again
/// after an upgrade: nothing of it was kept).
public struct RulesVersionUnsupported: Error, CustomStringConvertible {
    public let asked: UInt32
    public let supported: UInt32

    public init(asked: UInt32, supported: UInt32) {
        self.asked = asked
        self.supported = supported
    }

    public var description: String {
        "the cluster moved to apply rules version \(asked), and this build implements rules up to \(supported): "
            + "upgrade this node's binary (it applies from the same entry once upgraded)"
    }
}

extension StateMachine {
    /// Moves the state to rules `version` (``RulesVersion``): refused when it is not above the
    /// current one; stops apply when this build does not implement it.
    func setRulesVersion(_ version: UInt32) throws {
        guard version <= supportedRulesVersion else {
            throw RulesVersionUnsupported(asked: version, supported: supportedRulesVersion)
        }
        guard version > rulesVersion else {
            throw StateError.rulesVersionNotHigher(asked: version, current: rulesVersion)
        }
        overlay.put(StateKeys.rulesVersion, ByteWriter.number(UInt64(version)))
        rulesVersion = version
        // Compiled policies were built under the old rules: a node that restarted after the
        // move compiles afresh, so this one must too.
        policies.removeAll()
        policyTexts.removeAll()
        // Which key layout an agent's counts and ledger row are in changes with the version.
        ledgers = [:]
        requestIDCounts = [:]
        agentRows.removeAll()
    }
}

extension StateQueries {
    /// The apply rules the state runs (``RulesVersion``; 1 for a state written before the gate).
    public func rulesVersion() throws -> UInt32 {
        guard let bytes = try reader.value(for: StateKeys.rulesVersion) else { return RulesVersion.initial }
        let value = try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
        guard value >= UInt64(RulesVersion.initial), value <= UInt64(UInt32.max) else {
            throw StateStorageError("stored state is damaged: rules version \(value)")
        }
        return UInt32(value)
    }
}
