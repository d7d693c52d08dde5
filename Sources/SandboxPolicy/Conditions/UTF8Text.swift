import JSON
import JSONSchema

/// Byte-wise (code point) string tests over UTF-8, without Foundation or canonical equivalence.
enum UTF8Text {
    static func hasSuffix(_ suffix: String, _ text: String) -> Bool {
        var suffix = suffix
        var text = text
        return suffix.withUTF8 { s in
            text.withUTF8 { t in
                guard s.count <= t.count else { return false }
                let offset = t.count - s.count
                var index = 0
                while index < s.count {
                    if s[index] != t[offset + index] { return false }
                    index += 1
                }
                return true
            }
        }
    }

    static func hasPrefix(_ prefix: String, _ text: String) -> Bool {
        var prefix = prefix
        var text = text
        return prefix.withUTF8 { p in
            text.withUTF8 { t in
                guard p.count <= t.count else { return false }
                var index = 0
                while index < p.count {
                    if p[index] != t[index] { return false }
                    index += 1
                }
                return true
            }
        }
    }

    /// Needles up to this many bytes are searched naively (at most this many comparisons per
    /// haystack byte, no allocation); longer ones with Knuth-Morris-Pratt, so that two request
    /// parameters compared with `in` / `contains` cost linear, not quadratic, time.
    static let naiveSearchLimit = 32

    static func contains(_ needle: String, in haystack: String) -> Bool {
        var needle = needle
        var haystack = haystack
        return needle.withUTF8 { n in
            haystack.withUTF8 { h in
                guard n.count <= h.count else { return false }
                if n.isEmpty { return true }
                if n.count > naiveSearchLimit { return searchLinear(n, in: h) }
                var start = 0
                while start + n.count <= h.count {
                    var index = 0
                    while index < n.count && h[start + index] == n[index] { index += 1 }
                    if index == n.count { return true }
                    start += 1
                }
                return false
            }
        }
    }

    /// Knuth-Morris-Pratt: O(needle + haystack) comparisons.
    private static func searchLinear(_ n: UnsafeBufferPointer<UInt8>, in h: UnsafeBufferPointer<UInt8>) -> Bool {
        // border[i]: length of the longest proper prefix of n[0...i] that is also its suffix.
        var border = [Int](repeating: 0, count: n.count)
        var length = 0
        for index in 1..<n.count {
            while length > 0 && n[index] != n[length] { length = border[length - 1] }
            if n[index] == n[length] { length += 1 }
            border[index] = length
        }
        var matched = 0
        for byte in h {
            while matched > 0 && byte != n[matched] { matched = border[matched - 1] }
            if byte == n[matched] { matched += 1 }
            if matched == n.count { return true }
        }
        return false
    }
}
