import JSON

/// A `oneOf` whose branches are told apart by one property: every branch requires the property
/// `name` and gives it a `const` (the tagged unions of tool parameters: `{"kind": {"const":
/// "click"}, ...}`). A branch whose constant differs from the instance's value cannot match, so
/// only the branches with an equal constant are evaluated. The verdict and the error are the
/// ones the plain `oneOf` gives; only work is saved.
final class OneOfDiscriminator: Sendable {
    let nodes: [Int]
    /// The property's name.
    let name: String
    /// Its small-string words, if it is short enough (see ``SmallString``).
    let nameWords: SmallString.Words?
    /// Each branch's constant for the property.
    let constants: [EnumValues]

    private init(nodes: [Int], name: String, constants: [EnumValues]) {
        self.nodes = nodes
        self.name = name
        nameWords = SmallString.words(ofUTF8: Array(name.utf8))
        self.constants = constants
    }

    /// The discriminator of a `oneOf` over `nodes`, if every branch has one and the same property
    /// (the first such property of the first branch, by name).
    static func find(nodes: [Int], in program: SchemaProgram) -> OneOfDiscriminator? {
        guard let first = nodes.first, case .members(let rules)? = memberKeyword(program.nodes[first]) else {
            return nil
        }
        for property in rules.object.propertyList {
            var constants: [EnumValues] = []
            for node in nodes {
                guard let constant = constant(of: property.name, in: program.nodes[node], program: program) else {
                    break
                }
                constants.append(constant)
            }
            if constants.count == nodes.count {
                return OneOfDiscriminator(nodes: nodes, name: property.name, constants: constants)
            }
        }
        return nil
    }

    private static func memberKeyword(_ node: SchemaNode) -> Keyword? {
        node.keywords.first {
            if case .members = $0 { return true }
            return false
        }
    }

    /// The `const` that `node` requires property `name` to have, if it does: the property is
    /// declared with a subschema holding a `const`, and required.
    private static func constant(of name: String, in node: SchemaNode, program: SchemaProgram) -> EnumValues? {
        guard case .members(let borrowed)? = memberKeyword(node) else { return nil }
        let rules = borrowed.object
        guard
            let property = rules.propertyList.first(where: { $0.name == name && $0.name.utf8.elementsEqual(name.utf8) })
        else { return nil }
        let required =
            property.isRequired
            || node.keywords.contains {
                if case .required(let names, _) = $0 { return names.object.value.contains(name) }
                return false
            }
        guard required else { return nil }
        for keyword in program.nodes[property.node].keywords {
            if case .constant(let values, _) = keyword { return values.object }
        }
        return nil
    }

    /// The instance member named `name` (by code points), if any. Small objects are scanned
    /// (no hashing).
    func value(in members: JSONObject) -> JSONValue? {
        if members.count <= 8, let words = nameWords {
            for (key, value) in members {
                if let keyWords = SmallString.words(of: key) {
                    if keyWords == words { return value }
                } else if JSONValue.sameCodePoints(key, name) {
                    return value
                }
            }
            return nil
        }
        guard let offset = members.offset(of: name), JSONValue.sameCodePoints(members[offset].key, name) else {
            return nil
        }
        return members[offset].value
    }
}
