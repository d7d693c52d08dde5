extension Entry {
    /// `term/index` plus the payload as text (or the decoded change for membership entries).
    public var shortDescription: String {
        switch kind {
        case .normal:
            return data.isEmpty
                ? "\(term)/\(index)" : "\(term)/\(index):\(String(decoding: data.prefix(32), as: UTF8.self))"
        case .configChange:
            let change = (try? ConfChange(decoding: data)).map { "\($0)" } ?? "invalid"
            return "\(term)/\(index):\(change)"
        }
    }
}
