/// `minContains` and `maxContains` of a `contains`.
struct ContainsBounds: Sendable {
    let minimum: Int
    let maximum: Int?
}
