extension JSONValue {
    /// JSON text for this value. Keys are sorted by default so equal values serialize equally;
    /// `pretty` indents with two spaces.
    public func serialized(sortedKeys: Bool = true, pretty: Bool = false) -> String {
        var output = ""
        write(to: &output, sortedKeys: sortedKeys, pretty: pretty, indent: 0)
        return output
    }

    private func write(to output: inout String, sortedKeys: Bool, pretty: Bool, indent: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value): output += value.description
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                if pretty { JSONValue.newline(&output, indent: indent + 1) }
                element.write(to: &output, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSONValue.newline(&output, indent: indent) }
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            let order =
                sortedKeys ? members.indices.sorted { members[$0].key < members[$1].key } : Array(members.indices)
            for (place, offset) in order.enumerated() {
                if place > 0 { output += "," }
                if pretty { JSONValue.newline(&output, indent: indent + 1) }
                JSONValue.writeString(members[offset].key, to: &output)
                output += pretty ? ": " : ":"
                members[offset].value.write(to: &output, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSONValue.newline(&output, indent: indent) }
            output += "}"
        }
    }

    private static func newline(_ output: inout String, indent: Int) {
        output += "\n"
        output += String(repeating: "  ", count: indent)
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and control
    /// characters: the bytes `JSONValue.string(value).serialized()` gives, without the value.
    public static func writeString(_ value: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
