/// The `then` and `else` subschemas of an `if`.
struct ConditionalBranches: Sendable {
    let then: Int?
    let otherwise: Int?
}
