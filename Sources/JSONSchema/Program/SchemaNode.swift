/// One compiled (sub)schema.
struct SchemaNode: Sendable {
    /// Keywords in evaluation order (`unevaluated*` last).
    var keywords: [Keyword] = []
    /// The resource (by `$id` or document) this node belongs to, for the `$dynamicRef` scope.
    var resource = -1
    /// Whether a keyword of this node needs annotations from the others (`unevaluated*`).
    var needsAnnotations = false
    /// The node's own schema location (for `false` schema errors).
    var location = 0
}
