import Foundation
import Raft
import SandboxCluster
import SandboxStorage

/// A tiny replicated state machine for the driver's tests: each command is a key; applying it
/// counts how often that key was applied and records the entry's command by index. Effects and
/// the applied index go into one `StateStore.apply` per batch, as the real machine does.
public final class CounterMachine: ReplicatedStateMachine {
    public let store: StateStore
    public private(set) var appliedIndex: UInt64
    private let hookLock = NSLock()
    private var hook: (@Sendable () -> Void)?
    /// Runs at the start of every `apply` (on the driver's apply thread): tests block it to
    /// stand for a slow state machine.
    public var beforeApply: (@Sendable () -> Void)? {
        get { hookLock.withLock { hook } }
        set { hookLock.withLock { hook = newValue } }
    }

    private var early = false
    private var storeHook: (@Sendable () -> Void)?
    /// Hands each batch's results out (`apply(_:computed:)`) before storing the batch, as the
    /// real machine does for decisions.
    public var handsOutEarly: Bool {
        get { hookLock.withLock { early } }
        set { hookLock.withLock { early = newValue } }
    }
    /// Runs after a batch's results are computed (and handed out, with `handsOutEarly`) and
    /// before the batch is stored: tests block it to stand for a slow state write.
    public var beforeStore: (@Sendable () -> Void)? {
        get { hookLock.withLock { storeHook } }
        set { hookLock.withLock { storeHook = newValue } }
    }

    public init(store: StateStore) {
        self.store = store
        appliedIndex = store.appliedIndex()
    }

    public func apply(_ entries: [Entry]) throws -> [UInt64] {
        try apply(entries) { _ in }
    }

    public func apply(_ entries: [Entry], computed: ([(index: UInt64, result: UInt64)]) -> Void) throws -> [UInt64] {
        beforeApply?()
        var batch = StateBatch()
        var counts: [[UInt8]: UInt64] = [:]
        var results: [UInt64] = []
        for entry in entries where entry.index > appliedIndex {
            guard !entry.data.isEmpty else {
                results.append(0)
                continue
            }
            let key = Array("count/".utf8) + entry.data
            let count = try (counts[key] ?? (try store.get(key)).map(Self.number) ?? 0) + 1
            counts[key] = count
            batch.put(key, Self.bytes(count))
            batch.put(Array("entry/".utf8) + Self.bytes(entry.index), entry.data)
            results.append(count)
        }
        guard let last = entries.last, last.index > appliedIndex else { return results }
        if handsOutEarly {
            let fresh = entries.filter { $0.index > appliedIndex }.map(\.index)
            computed(Array(zip(fresh, results)))
        }
        beforeStore?()
        try store.apply(batch, appliedIndex: last.index)
        appliedIndex = last.index
        return results
    }

    public func applyMembership(_ conf: ConfState, at index: UInt64) throws {
        try store.apply(StateBatch(), appliedIndex: index, confState: conf)
        appliedIndex = index
    }

    public func reloadAfterSnapshot() throws {
        appliedIndex = store.appliedIndex()
    }

    /// Commands that start with this byte carry a time stamp in the next 8 bytes (big-endian
    /// milliseconds), which the leader restamps (`stamped(_:timeMillis:)` builds one).
    public static let stampedTag: UInt8 = 0xFE

    public static func stamped(_ name: String, timeMillis: UInt64) -> [UInt8] {
        [stampedTag] + bytes(timeMillis) + Array(name.utf8)
    }

    public static func timeStamp(of data: [UInt8]) -> UInt64? {
        guard data.count >= 9, data[0] == stampedTag else { return nil }
        return number(Array(data[1..<9]))
    }

    public static func stamp(_ command: inout [UInt8], timeMillis: UInt64) -> Bool {
        guard command.count >= 9, command[0] == stampedTag else { return false }
        command.replaceSubrange(1..<9, with: bytes(timeMillis))
        return true
    }

    public static func bytes(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    public static func number(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
