import JSON

/// One record of the audit log as stored: its sequence number (dense, from 1), entry time, the
/// chain hash, and the canonical JSON body it was hashed from.
///
/// `hash = SHA-256(previous record's hash ‖ canonical body)`, the previous hash of record 1
/// being 32 zero bytes. The canonical body is the record's JSON object serialised with sorted
/// keys and no white space (the `JSON` module's serializer); an export adds `hash` and
/// `prev_hash` (hexadecimal) to it, and a verifier removes them, serialises the rest the same
/// way and recomputes the chain (docs/state.md, "Reading the audit chain").
public struct AuditRecord: Sendable, Hashable {
    public var sequence: UInt64
    public var timeMillis: UInt64
    public var hash: [UInt8]
    public var canonicalBody: [UInt8]

    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    public init(sequence: UInt64, timeMillis: UInt64, hash: [UInt8], canonicalBody: [UInt8]) {
        self.sequence = sequence
        self.timeMillis = timeMillis
        self.hash = hash
        self.canonicalBody = canonicalBody
    }

    /// The chain step: the hash of a body after `previous`.
    public static func chainHash(previous: [UInt8], body: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(previous)
        hasher.update(body)
        return hasher.finalize()
    }

    /// The body as JSON (nil if the stored bytes are not JSON: damage).
    public var body: JSONValue? { try? JSONValue(parsing: canonicalBody) }

    /// The record as exported: the body plus `hash` and `prev_hash` in hexadecimal.
    public func exported(previousHash: [UInt8]) -> JSONValue {
        guard case .object(var members)? = body else {
            return .object(["seq": .number(JSONNumber(Int64(bitPattern: sequence))), "damaged": true])
        }
        members["hash"] = .string(hash.hexString)
        members["prev_hash"] = .string(previousHash.hexString)
        return .object(members)
    }

    /// Room for the stored header (hash, time) before a body written in place.
    static var headerPlaceholder: [UInt8] { [UInt8](repeating: 0, count: 40) }

    /// Fills the header of a stored record written as `headerPlaceholder + body`: the chain
    /// hash of the body after `previous`, and the time. Returns the hash.
    static func fillHeader(_ record: inout [UInt8], previous: [UInt8], timeMillis: UInt64) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(previous)
        record.withUnsafeBytes { hasher.update(buffer: UnsafeRawBufferPointer(rebasing: $0[40...])) }
        let hash = hasher.finalize()
        record.withUnsafeMutableBytes { header in
            for i in 0..<32 { header[i] = hash[i] }
            for i in 0..<8 { header[32 + i] = UInt8(truncatingIfNeeded: timeMillis >> UInt64(56 - 8 * i)) }
        }
        return hash
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 40 + canonicalBody.count)
        w.raw(hash)
        w.u64(timeMillis)
        w.raw(canonicalBody)
        return w.bytes
    }

    init(sequence: UInt64, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        self.sequence = sequence
        hash = try r.raw(32, "audit hash")
        timeMillis = try r.u64("audit time")
        canonicalBody = try r.raw(r.remaining, "audit body")
    }
}
