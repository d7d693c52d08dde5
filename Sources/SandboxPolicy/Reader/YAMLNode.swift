import JSON
import JSONSchema
import Yams

/// A YAML node with the position it was written at, read through Yams' composer with no tag
/// resolution of its own: plain scalars are resolved here with the YAML 1.2 core schema (so
/// `no`, `on` and `off` stay strings), quoted scalars are always strings.
struct YAMLNode: Sendable {
    enum Kind: Sendable {
        case scalar(String, style: ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    enum ScalarStyle: Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    var kind: Kind
    var location: SourceLocation

    var typeName: String {
        switch kind {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
