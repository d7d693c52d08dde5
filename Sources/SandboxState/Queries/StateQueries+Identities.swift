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
}
