import JSON
import JSONSchema
import Yams

extension YAMLNode {
    /// The node as a JSON value: plain scalars resolved by the YAML 1.2 core schema (`null`, `~`
    /// and empty are null; `true`/`false`; decimal integers and floats), everything else a string.
    var jsonValue: JSONValue {
        switch kind {
        case .scalar(let text, let style):
            if style != .plain { return .string(text) }
            return YAMLNode.resolvePlain(text)
        case .sequence(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(item.jsonValue) }
            return .array(values)
        case .mapping(let entries):
            var members: [String: JSONValue] = [:]
            for entry in entries { members[entry.key] = entry.value.jsonValue }
            return .object(members)
        }
    }

    static func resolvePlain(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if YAMLNode.looksNumeric(text), let number = JSONNumber(literal: text) { return .number(number) }
        return .string(text)
    }

    /// JSON-style number syntax (what the YAML 1.2 JSON schema accepts), plus a leading `+`-free
    /// decimal such as `25` or `0.02`.
    static func looksNumeric(_ text: String) -> Bool {
        var sawDigit = false
        for (offset, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "-") where offset == 0: break
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return false
            }
        }
        return sawDigit
    }
}
