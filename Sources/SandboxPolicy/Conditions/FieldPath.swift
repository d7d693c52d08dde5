import JSON
import JSONSchema

/// A path into the parameters: `customer.address.country`, `items[0].price`, `params["a-b"]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public var description: String {
        if components.isEmpty { return "params" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if key.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) }
                ),
                    !key.isEmpty
                {
                    text += text.isEmpty ? key : ".\(key)"
                } else {
                    text += "[\"\(key)\"]"
                }
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The value at this path in `root`, or nil when absent.
    func resolve(in root: JSONValue) -> JSONValue? {
        // The common case, one key: a single dictionary lookup.
        if components.count == 1, case .key(let key) = components[0], case .object(let members) = root {
            return members[key]
        }
        var value = root
        for component in components {
            switch (component, value) {
            case (.key(let key), .object(let members)):
                guard let member = members[key] else { return nil }
                value = member
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                value = items[index]
            default:
                return nil
            }
        }
        return value
    }
}
