import JSON

/// The `format` values this module can assert (when ``SchemaOptions/assertFormats`` is on).
enum Format: String, Sendable, CaseIterable {
    case email
    case uri
    case uriReference = "uri-reference"
    case dateTime = "date-time"
    case date
    case time
    case ipv4
    case ipv6
    case hostname
    case uuid
    case regex
    case jsonPointer = "json-pointer"

    /// Whether `text` is a valid value of this format. Non-strings always pass (the evaluator
    /// only calls this for strings).
    func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .email: return FormatRules.isEmail(bytes)
        case .uri: return FormatRules.isURI(bytes, requireScheme: true)
        case .uriReference: return FormatRules.isURI(bytes, requireScheme: false)
        case .dateTime: return FormatRules.isDateTime(bytes)
        case .date: return FormatRules.isDate(bytes[...])
        case .time: return FormatRules.isTime(bytes[...])
        case .ipv4: return FormatRules.isIPv4(bytes[...])
        case .ipv6: return FormatRules.isIPv6(bytes[...])
        case .hostname: return FormatRules.isHostname(bytes[...])
        case .uuid: return FormatRules.isUUID(bytes)
        case .regex: return ECMARegex(text) != nil
        case .jsonPointer: return FormatRules.isJSONPointer(bytes)
        }
    }
}
