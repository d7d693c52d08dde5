import Crypto

/// SHA-256 (FIPS 180-4) through swift-crypto: BoringSSL's implementation, which uses the CPU's
/// SHA extensions where it has them (a software version of our own cost 13% of a decide's apply).
/// Pure computation, no I/O, so the state machine stays pure. It hashes audit records, policy
/// texts and canonical parameters, never secrets it must compare in constant time. Checked
/// against the FIPS vectors and, on random inputs, against a plain reference in the tests.
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// The digest of `bytes` (32 bytes).
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = [UInt8](bytes)
            copy.withUnsafeBytes { update(buffer: $0) }
        }
    }

    public mutating func update(buffer input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        hasher.update(bufferPointer: input)
    }

    /// The digest; the hasher must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        hasher.finalize().withUnsafeBytes { [UInt8]($0) }
    }
}
