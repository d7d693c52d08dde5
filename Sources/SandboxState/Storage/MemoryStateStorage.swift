/// The state in memory: sorted keys for prefix scans. For tests, the model test and tools; the
/// node uses the RocksDB adapter. Not thread-safe (one owner).
public final class MemoryStateStorage: StateStorage {
    private var values: [[UInt8]: [UInt8]] = [:]
    private var keys: [[UInt8]] = []
    private var applied: UInt64 = 0

    public init() {}

    /// A copy of another store's keys at its applied index (a "snapshot").
    public init(copying other: MemoryStateStorage) {
        values = other.values
        keys = other.keys
        applied = other.applied
    }

    public var keyCount: Int { keys.count }
    /// The writes of the last commit (for tests: what one batch changed).
    public private(set) var lastCommit = StateWrites()

    public func value(for key: [UInt8]) throws -> [UInt8]? { values[key] }

    public func appliedIndex() throws -> UInt64 { applied }

    public func commit(_ writes: StateWrites, appliedIndex: UInt64) throws {
        guard appliedIndex > applied else {
            throw StateStorageError("applied index \(appliedIndex) does not move past \(applied)")
        }
        for (key, value) in writes.changes {
            if let value {
                if values.updateValue(value, forKey: key) == nil { keys.insert(key, at: position(of: key)) }
            } else if values.removeValue(forKey: key) != nil {
                keys.remove(at: position(of: key))
            }
        }
        applied = appliedIndex
        lastCommit = writes
    }

    /// Test hook: change a stored value behind the state machine's back.
    public func tamper(_ key: [UInt8], _ value: [UInt8]?) {
        if let value {
            if values.updateValue(value, forKey: key) == nil { keys.insert(key, at: position(of: key)) }
        } else if values.removeValue(forKey: key) != nil {
            keys.remove(at: position(of: key))
        }
    }

    public func scan(prefix: [UInt8], after startAfter: [UInt8]?, limit: Int) throws -> [(
        key: [UInt8], value: [UInt8]
    )] {
        var index = position(of: prefix)
        if let startAfter, !startAfter.lexicographicallyPrecedes(prefix) {
            index = position(of: startAfter + [0])
        }
        var result: [(key: [UInt8], value: [UInt8])] = []
        while index < keys.count, result.count < limit, keys[index].starts(with: prefix) {
            result.append((keys[index], values[keys[index]]!))
            index += 1
        }
        return result
    }

    /// The first position whose key is not before `key`.
    private func position(of key: [UInt8]) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle].lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
