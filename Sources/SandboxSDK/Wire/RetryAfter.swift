import Foundation

/// A `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date. How long
/// the node asks to be left alone; nil when there is no header or it is neither form (then the
/// client's own backoff applies).
enum RetryAfter {
    /// - Parameter now: the wall clock, for a date (a date in the past is zero).
    static func duration(_ value: String?, now: Date) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // Digits only; a number too large for Int64 is as good as a long one (the caller caps it).
            return .seconds(min(Int64(text) ?? 999_999, 999_999))
        }
        guard let date = httpDate(text) else { return nil }
        return .milliseconds(Int64(max(0, min(date.timeIntervalSince(now), 999_999)) * 1000))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers send.
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
