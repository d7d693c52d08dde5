/// Where a cluster member listens: its peer transport and its HTTP API (`host:port` each).
/// Raft's membership carries only node ids; these records let every node reach a member added
/// later (and find the leader's HTTP API), and survive restarts and snapshots with the state.
public struct MemberAddress: Sendable, Hashable {
    public var node: UInt64
    public var peer: String
    public var http: String

    /// The longest address accepted (a DNS name and a port).
    public static let maxAddressBytes = 300

    public init(node: UInt64, peer: String, http: String) {
        self.node = node
        self.peer = peer
        self.http = http
    }

    /// Empty addresses: the record is deleted.
    public var forgets: Bool { peer.isEmpty && http.isEmpty }

    func encode(into w: inout ByteWriter) {
        w.u64(node)
        w.string(peer)
        w.string(http)
    }

    init(decoding r: inout ByteReader) throws(DecodingError) {
        node = try r.u64("member node")
        guard node > 0 else { throw DecodingError("member node id 0 is not a node") }
        peer = try r.string("member peer address", maxBytes: Self.maxAddressBytes)
        http = try r.string("member http address", maxBytes: Self.maxAddressBytes)
        for (field, value) in [("peer", peer), ("http", http)] {
            for byte in value.utf8 where byte <= 0x20 || byte == 0x7F {
                throw DecodingError(
                    "member \(field) address `\(value.debugDescription)` has a space or control character")
            }
        }
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        encode(into: &w)
        return w.bytes
    }

    init(record bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "member address")
        try self.init(decoding: &r)
    }
}
