/// The state's digest, kept up to date by apply: the sum, lane by lane (four 64-bit lanes,
/// wrapping), of a hash of every stored key and value. A sum of per-pair hashes does not depend on
/// the order the pairs were written in, so adding a pair's hash when it is written and
/// subtracting the old one's when it is overwritten or deleted gives, after any sequence of
/// batches, exactly what a full pass over the store gives (``StateQueries/recomputeDigest()``,
/// the verification path; a test holds them equal after random command sequences).
///
/// For comparing replicas (two nodes at the same applied index with different digests have
/// different states), not for security: the pair hash is a fast non-cryptographic mix (a
/// deliberate forgery is possible; an accidental equal digest of different states is not, in
/// practice). The digest's own key (`m/digest`) is not part of it.
public struct StateDigest: Sendable, Hashable {
    public private(set) var lanes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    public static func == (lhs: StateDigest, rhs: StateDigest) -> Bool { lhs.bytes == rhs.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// 32 bytes, big-endian lanes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return out
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        func lane(_ i: Int) -> UInt64 { bytes[(8 * i)..<(8 * i + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        lanes = (lane(0), lane(1), lane(2), lane(3))
    }

    public mutating func add(key: [UInt8], value: [UInt8]) {
        let h = Self.pairHash(key: key, value: value)
        lanes = (lanes.0 &+ h.0, lanes.1 &+ h.1, lanes.2 &+ h.2, lanes.3 &+ h.3)
    }

    public mutating func remove(key: [UInt8], value: [UInt8]) {
        let h = Self.pairHash(key: key, value: value)
        lanes = (lanes.0 &- h.0, lanes.1 &- h.1, lanes.2 &- h.2, lanes.3 &- h.3)
    }

    /// Four independent 64-bit hashes of `u32 key length · key · value`: each lane folds 8-byte
    /// words with its own seed by multiply-xorshift, then a final avalanche.
    static func pairHash(key: [UInt8], value: [UInt8]) -> (UInt64, UInt64, UInt64, UInt64) {
        var state = Lanes(
            a: 0x243f_6a88_85a3_08d3, b: 0x1319_8a2e_0370_7344, c: 0xa409_3822_299f_31d0, d: 0x082e_fa98_ec4e_6c89)
        state.absorb(UInt64(key.count) | UInt64(value.count) << 32)
        key.withUnsafeBytes { state.absorb($0) }
        state.absorb(0xff)
        value.withUnsafeBytes { state.absorb($0) }
        return (state.a.avalanche, state.b.avalanche, state.c.avalanche, state.d.avalanche)
    }

    private struct Lanes {
        var a, b, c, d: UInt64

        mutating func absorb(_ word: UInt64) {
            a = (a ^ word) &* 0x9e37_79b9_7f4a_7c15
            b = (b ^ word.rotatedLeft(17)) &* 0xc2b2_ae3d_27d4_eb4f
            c = (c ^ word.rotatedLeft(31)) &* 0x1656_67b1_9e37_79f9
            d = (d ^ word.rotatedLeft(47)) &* 0xff51_afd7_ed55_8ccd
        }

        mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
            var offset = 0
            while bytes.count - offset >= 8 {
                absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
            var tail: UInt64 = 1  // marks the tail's length
            while offset < bytes.count {
                tail = tail << 8 | UInt64(bytes[offset])
                offset += 1
            }
            absorb(tail)
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }

    /// A final mix (murmur3's finaliser): every input bit affects every output bit.
    fileprivate var avalanche: UInt64 {
        var x = self
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}
