/// The compiled form of a schema: a flat table of nodes that refer to each other by index, so
/// cyclic references are plain integers and validation never looks anything up by name.
struct SchemaProgram: Sendable {
    var nodes: [SchemaNode] = []
    var root = 0
    /// `$dynamicAnchor`s of each resource that has any: `[resource: [anchor name: node]]`.
    var dynamicAnchors: [[String: Int]] = []
    /// Whether any `$dynamicRef` can resolve dynamically, so the evaluator must track scope.
    var usesDynamicScope = false
    /// Schema locations of keywords, referred to by index from ``Keyword``.
    var locations: [String] = []
    /// Owners of the objects keywords refer to through ``Borrowed``.
    var objects: [any AnyObject & Sendable] = []
}

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
