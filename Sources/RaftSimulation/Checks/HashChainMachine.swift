import Raft

/// The simulator's state machine: the applied index and a hash chain over every applied entry,
/// so two nodes agree on the hash at an index exactly when they applied the same entries.
/// It is durable as a node's `NodeStore` keeps it, written with its applied index.
public struct HashChainMachine: Hashable, Sendable {
    public var applied: UInt64 = 0
    public var hash: UInt64 = 0

    mutating func apply(_ entry: Entry) {
        applied = entry.index
        hash = Self.mix(hash, entry)
    }

    static func mix(_ previous: UInt64, _ entry: Entry) -> UInt64 {
        var h = previous ^ 0x9E37_79B9_7F4A_7C15
        h = (h ^ entry.index) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ entry.term) &* 0x94D0_49BB_1331_11EB
        h = (h ^ UInt64(entry.kind.rawValue)) &* 0xBF58_476D_1CE4_E5B9
        for byte in entry.data { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 31)
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        for value in [applied, hash] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        return bytes
    }

    public init() {}

    public init(applied: UInt64, hash: UInt64) {
        self.applied = applied
        self.hash = hash
    }

    public init?(decoding bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var values: [UInt64] = [0, 0]
        for position in 0..<16 { values[position / 8] = values[position / 8] << 8 | UInt64(bytes[position]) }
        applied = values[0]
        hash = values[1]
    }
}
