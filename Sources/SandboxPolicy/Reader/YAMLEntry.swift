import JSON
import JSONSchema
import Yams

struct YAMLEntry: Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: YAMLNode
}
