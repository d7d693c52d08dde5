import JSON
import JSONSchema

extension JSONValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
