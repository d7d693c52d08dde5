import JSON

extension SchemaEvaluator {
    mutating func matches(_ regex: ECMARegex, _ text: String) -> Bool? {
        // A string has at most as many UTF-16 units as UTF-8 bytes, and the byte count is stored:
        // the UTF-16 units are counted only for strings long enough to matter.
        let limit = options.maxPatternInputLength
        if text.utf8.count > limit && text.utf16.count > limit { return nil }
        return regex.matches(text, budget: &icuBudget)
    }

    /// Why `regex` could not decide on `text` (`what` names the text): too long to run on, or
    /// too much backtracking.
    func patternLimitMessage(_ what: String, _ text: String, _ regex: ECMARegex) -> String {
        let units = text.utf16.count
        let limit = options.maxPatternInputLength
        if units > limit {
            return "\(what) of \(units) UTF-16 units is longer than the \(limit) that patterns are checked on"
        }
        return "pattern /\(regex.source)/ backtracked too long on a \(what) of \(units) UTF-16 units"
    }
}
