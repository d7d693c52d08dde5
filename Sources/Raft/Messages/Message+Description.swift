extension Message: CustomStringConvertible {
    /// A compact one-line rendering used by traces and the interaction tests.
    public var description: String {
        var text = "\(from)->\(to) \(kind) term=\(term)"
        switch kind {
        case .append:
            text += " log=\(logTerm)/\(index) commit=\(commit)"
            if !entries.isEmpty { text += " entries=[" + entries.map(\.shortDescription).joined(separator: " ") + "]" }
        case .appendResponse:
            text += reject ? " rejected=\(index) hint=\(logTerm)/\(rejectHint)" : " index=\(index)"
        case .heartbeat:
            text += " commit=\(commit)"
            if readRound > 0 { text += " round=\(readRound)" }
        case .heartbeatResponse:
            if index > 0 { text += " index=\(index)" }
            if readRound > 0 { text += " round=\(readRound)" }
        case .vote, .preVote:
            text += " log=\(logTerm)/\(index)"
            if isTransfer { text += " transfer" }
        case .voteResponse, .preVoteResponse:
            text += reject ? " rejected" : " granted"
        case .snapshot:
            if let snapshot { text += " snapshot=\(snapshot.metadata.term)/\(snapshot.metadata.index)" }
        case .timeoutNow:
            break
        case .readIndex:
            text += " context=\(String(decoding: context, as: UTF8.self))"
        case .readIndexResponse:
            text += " index=\(index) context=\(String(decoding: context, as: UTF8.self))"
        }
        return text
    }
}
