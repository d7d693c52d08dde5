extension StateKeys {
    public static func member(_ node: UInt64) -> [UInt8] { memberPrefix + bigEndian(node) }
}

extension StateMachine {
    /// Records (or, with empty addresses, forgets) a member's addresses. Not audited: it is
    /// the cluster's plumbing, announced by each node itself at start.
    func setMemberAddress(_ member: MemberAddress) throws {
        if member.forgets {
            overlay.delete(StateKeys.member(member.node))
        } else {
            overlay.put(StateKeys.member(member.node), member.encoded)
        }
    }
}

extension StateQueries {
    /// Every recorded member address, by node id.
    public func memberAddresses() throws -> [UInt64: MemberAddress] {
        var members: [UInt64: MemberAddress] = [:]
        for pair in try reader.scan(prefix: StateKeys.memberPrefix, after: nil, limit: 1_000) {
            let member = try stored { () throws(DecodingError) in try MemberAddress(record: pair.value) }
            members[member.node] = member
        }
        return members
    }
}

extension CommandEnvelope {
    /// Whether entry bytes carry a `setMemberAddress` command (a look at the tag, no decoding:
    /// the runtime refreshes its peers after applying one).
    public static func carriesMemberAddress(_ bytes: [UInt8]) -> Bool {
        bytes.count >= headerBytes && bytes[0] == formatVersion
            && bytes[headerBytes - 1] == Command.Tag.setMemberAddress.rawValue
    }
}
