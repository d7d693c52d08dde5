/// A tenant: its display name and when it was created.
public struct TenantRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var createdMillis: UInt64

    public init(id: String, name: String, createdMillis: UInt64) {
        self.id = id
        self.name = name
        self.createdMillis = createdMillis
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.string(name)
        w.u64(createdMillis)
        return w.bytes
    }

    init(id: String, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "tenant")
        self.id = id
        name = try r.string("tenant name", maxBytes: Int(UInt16.max))
        createdMillis = try r.u64("created")
    }
}

/// Every stored record starts with a format byte (1), so a later format can be told apart.
enum RecordVersion {
    static func check(_ reader: inout ByteReader, _ what: String) throws(DecodingError) {
        let version = try reader.u8("\(what) record format")
        guard version == 1 else { throw DecodingError("\(what) record format \(version) is unknown") }
    }
}
