/// The `?wait=` of a long poll: `30s`, `500ms` or a number of seconds; at most
/// ``ApplyWatchers/maxWait`` (longer asks are cut to it).
enum LongPollWait {
    static func parse(_ text: String?) throws(APIError) -> Duration? {
        guard let text, !text.isEmpty else { return nil }
        var digits = Substring(text)
        var unit: Duration = .seconds(1)
        if digits.hasSuffix("ms") {
            digits = digits.dropLast(2)
            unit = .milliseconds(1)
        } else if digits.hasSuffix("s") {
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let count = Int(digits), count >= 0
        else {
            throw .badRequest(
                "?wait must be a duration such as 30s or 500ms (at most 30s), not `\(text)`", code: "bad_wait")
        }
        return min(unit * count, ApplyWatchers.maxWait)
    }
}
