import JSON
import SandboxState

/// Reading and checking the identity routes' inputs: identifiers, generated ids and secrets.
enum IdentityInput {
    static let maxIdentifierLength = 128
    static let minSecretLength = 16
    static let maxSecretLength = 512

    /// An identifier: 1 to 128 of letters, digits and `_ . : @ -`, starting with a letter or digit.
    static func identifier(_ text: String?, _ what: String) throws(APIError) -> String {
        guard let text, !text.isEmpty else { throw .badRequest("\(what) is required", code: "bad_request") }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_.:@-".unicodeScalars.contains(scalar))
        }
        guard allowed, text.count <= maxIdentifierLength, let first = text.unicodeScalars.first,
            first.properties.isAlphabetic || ("0"..."9").contains(first)
        else {
            throw .badRequest(
                "\(what) `\(text.prefix(40))`: use 1 to \(maxIdentifierLength) letters, digits, `_ . : @ -`, "
                    + "starting with a letter or digit", code: "bad_identifier")
        }
        return text
    }

    /// A tenant id made from its display name: lower case, runs of other characters as `_`.
    static func slug(_ name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("_") {
                slug += "_"
            }
        }
        while slug.hasSuffix("_") { slug.removeLast() }
        return String(slug.prefix(maxIdentifierLength))
    }

    /// A secret given by the client (an agent key), or a generated one when absent.
    static func secret(_ value: JSONValue?, _ what: String) throws(APIError) -> String {
        guard let value, value != .null else { return BootstrapIdentities.randomToken() }
        guard case .string(let text) = value, (minSecretLength...maxSecretLength).contains(text.utf8.count) else {
            throw .badRequest(
                "\(what) must be a string of \(minSecretLength) to \(maxSecretLength) bytes (or absent: one is generated)",
                code: "bad_secret")
        }
        return text
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// The body's member `name` as a string, if present (400 when present but not a string).
    static func string(_ body: JSONValue, _ name: String) throws(APIError) -> String? {
        switch body.member(name) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .badRequest("`\(name)` must be a string", code: "bad_request")
        }
    }

    /// Whether `text` is an identifier as the state machine stores one (request ids, agent and
    /// group ids given in bodies): 1 to `StateLimits.maxIdentifierBytes` (128) bytes without a
    /// control character; the state machine refuses anything else at apply.
    static func isStoredIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= DecisionRoutes.limits.maxIdentifierBytes && !hasControlCharacter(text)
    }

    static func hasControlCharacter(_ text: String) -> Bool { text.utf8.contains { $0 < 0x20 || $0 == 0x7F } }

    /// The body must be a JSON object.
    static func object(_ body: JSONValue) throws(APIError) -> JSONValue {
        guard case .object = body else { throw .badRequest("the body must be a JSON object", code: "bad_request") }
        return body
    }
}
