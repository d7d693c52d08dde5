/// SHA-256 (FIPS 180-4, section 6.2) written out plainly: the state machine's own implementation
/// before it moved to swift-crypto, kept here as the reference the tests hold the library's
/// digests equal to on random inputs.
struct ReferenceSHA256 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// The partial block (64 bytes, inline: a hasher allocates nothing until `finalize`).
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var buffered = 0
    private var length: UInt64 = 0

    init() {}

    /// The digest of `bytes` (32 bytes).
    static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = ReferenceSHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = [UInt8](bytes)
            copy.withUnsafeBytes { update(buffer: $0) }
        }
    }

    mutating func update(buffer input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        length &+= UInt64(input.count)
        var offset = 0
        if buffered > 0 {
            let take = min(64 - buffered, input.count)
            let start = buffered
            withUnsafeMutableBytes(of: &buffer) {
                $0.baseAddress!.advanced(by: start).copyMemory(from: base, byteCount: take)
            }
            buffered += take
            offset = take
            if buffered == 64 {
                var block = buffer
                withUnsafeBytes(of: &block) { compress($0.baseAddress!) }
                buffered = 0
            }
        }
        while input.count - offset >= 64 {
            compress(base + offset)
            offset += 64
        }
        let rest = input.count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.copyMemory(from: base + offset, byteCount: rest) }
            buffered += rest
        }
    }

    /// The digest; the hasher must not be used afterwards.
    mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        // The marker, zeros up to 56 bytes into a block, and the length: one or two blocks.
        var padding:
            (
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let afterMarker = (buffered + 1) % 64
        let count = 1 + (afterMarker <= 56 ? 56 - afterMarker : 120 - afterMarker) + 8
        withUnsafeMutableBytes(of: &padding) { raw in
            raw[0] = 0x80
            for i in 0..<8 { raw[count - 8 + i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - 8 * i)) }
            update(buffer: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
        return [UInt8](unsafeUninitializedCapacity: 32) { out, initialized in
            let state = self.state
            for i in 0..<8 {
                let word = withUnsafeBytes(of: state) { $0.load(fromByteOffset: 4 * i, as: UInt32.self) }
                out[4 * i] = UInt8(word >> 24)
                out[4 * i + 1] = UInt8(truncatingIfNeeded: word >> 16)
                out[4 * i + 2] = UInt8(truncatingIfNeeded: word >> 8)
                out[4 * i + 3] = UInt8(truncatingIfNeeded: word)
            }
            initialized = 32
        }
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// One 64-byte block (section 6.2.2). The first 16 rounds take the block's words; the other
    /// 48 extend the schedule in a ring of 16 words, in a loop of its own (no branch per round).
    private mutating func compress(_ block: UnsafeRawPointer) {
        var w = (
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
        )
        var (a, b, c, d, e, f, g, h) = state
        @inline(__always)
        func round(_ k: UInt32, _ wt: UInt32) {
            let s1 = e.referenceRotatedRight(6) ^ e.referenceRotatedRight(11) ^ e.referenceRotatedRight(25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k &+ wt
            let s0 = a.referenceRotatedRight(2) ^ a.referenceRotatedRight(13) ^ a.referenceRotatedRight(22)
            let majority = (a & b) ^ (c & (a ^ b))
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ s0 &+ majority
        }
        Self.k.withUnsafeBufferPointer { k in
            withUnsafeMutableBytes(of: &w) { raw in
                let w = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
                for t in 0..<16 {
                    let wt = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                    w[t] = wt
                    round(k[t], wt)
                }
                for t in 16..<64 {
                    let w15 = w[(t - 15) & 15]
                    let w2 = w[(t - 2) & 15]
                    let s0 = w15.referenceRotatedRight(7) ^ w15.referenceRotatedRight(18) ^ (w15 >> 3)
                    let s1 = w2.referenceRotatedRight(17) ^ w2.referenceRotatedRight(19) ^ (w2 >> 10)
                    let wt = w[t & 15] &+ s0 &+ w[(t - 7) & 15] &+ s1
                    w[t & 15] = wt
                    round(k[t], wt)
                }
            }
        }
        state = (
            state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g,
            state.7 &+ h
        )
    }
}

extension UInt32 {
    @inline(__always)
    fileprivate func referenceRotatedRight(_ count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }
}
