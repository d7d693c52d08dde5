/// Key encodings of every family (docs/storage.md, "Key encodings").
enum StorageKeys {
    /// `meta`: the database format version.
    static let format = Array("format".utf8)
    /// `raft_state` keys.
    static let hardState = Array("hard_state".utf8)
    static let confState = Array("conf_state".utf8)
    static let snapshot = Array("snapshot".utf8)
    static let activeStateSlot = Array("active_state".utf8)

    /// `raft_log`: the index, 8 bytes big-endian, so keys sort in log order.
    static func log(_ index: UInt64) -> [UInt8] { index.bigEndianBytes }

    static func logIndex(_ key: UnsafeRawBufferPointer) -> UInt64? {
        guard key.count == 8 else { return nil }
        return key.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// State families: system keys start with 0x00, state machine keys with 0x01, so the two
    /// never collide and a snapshot streams exactly the range `[0x01, 0x02)`.
    static let systemPrefix: UInt8 = 0x00
    static let userPrefix: UInt8 = 0x01
    static let appliedIndex: [UInt8] = [systemPrefix] + Array("applied_index".utf8)
    static let userRangeStart: [UInt8] = [userPrefix]
    static let userRangeEnd: [UInt8] = [userPrefix + 1]
    /// Covers every key a state family can hold, for clearing one.
    static let stateRangeStart: [UInt8] = [systemPrefix]
    static let stateRangeEnd: [UInt8] = [userPrefix + 1]

    static func user(_ key: [UInt8]) -> [UInt8] {
        var stored = [UInt8]()
        stored.reserveCapacity(key.count + 1)
        stored.append(userPrefix)
        stored.append(contentsOf: key)
        return stored
    }

    /// The smallest key greater than every key starting with `prefix` (nil: no such bound).
    static func upperBound(ofPrefix prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last < 0xFF {
                bound[bound.count - 1] = last + 1
                return bound
            }
            bound.removeLast()
        }
        return nil
    }
}
