/// The life of an approval: pending until N approvals (approved) or one deny (denied); an
/// approved one is consumed by the decision it lets through (single use); a pending or
/// approved one not used by its expiry time is expired.
public enum ApprovalStatus: UInt8, Sendable, Hashable, CaseIterable {
    case pending = 1
    case approved = 2
    case denied = 3
    case expired = 4
    case consumed = 5

    public var name: String {
        switch self {
        case .pending: return "pending"
        case .approved: return "approved"
        case .denied: return "denied"
        case .expired: return "expired"
        case .consumed: return "consumed"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// Still waiting for votes or for its decision to use it.
    var isOpen: Bool { self == .pending || self == .approved }
}
