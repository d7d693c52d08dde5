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
