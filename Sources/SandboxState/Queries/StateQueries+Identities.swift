extension StateQueries {
    /// Up to `limit` principals in id order, after the id `after` (a cursor); revoked ones
    /// included (``PrincipalRecord/revoked``).
    public func principals(after: String? = nil, limit: Int = 100) throws -> [PrincipalRecord] {
        let prefix = StateKeys.principalPrefix
        return try reader.scan(prefix: prefix, after: after.map(StateKeys.principal), limit: limit).map { pair in
            let id = String(decoding: pair.key.dropFirst(prefix.count), as: UTF8.self)
            return try stored { () throws(DecodingError) in try PrincipalRecord(id: id, decoding: pair.value) }
        }
    }

    /// How many times the console sessions of `principal` (of that `kind`) were ended
    /// (``Command/endSessions(principal:kind:actor:)``); 0 when never.
    public func sessionGeneration(of principal: String, kind: UInt8) throws -> UInt64 {
        guard let bytes = try reader.value(for: StateKeys.sessionGeneration(principal, kind: kind)) else { return 0 }
        return try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
    }
}
