/// The rule by which a founding StatefulSet pod on an empty data directory decides between
/// bootstrapping the cluster and joining it (docs/operations.md, "Replace a failed node or
/// disk"). Pure: the caller asks the other founding pods, in rounds, and hands their answers
/// here, with the pods it has seen probing (empty) in earlier rounds.
///
/// - Join as soon as a founding pod not seen empty answers with a cluster that exists: a known
///   leader, a term past the bootstrap's 1, or a log past the bootstrap's index 1 (the cluster
///   runs and this pod lost its disk, or started long after the others formed it).
/// - Bootstrap when every other founding pod was seen empty (probing) during this probe or
///   answers with no such cluster (freshly bootstrapped): a first install. A cluster formed
///   during the probe by pods seen empty holds only the bootstrap, the same as this pod's.
/// - Otherwise wait and ask again: a pod that does not answer may be one with the cluster's
///   data, restarting or slow. Staying down is better than voting with an empty log.
enum FoundingProbe {
    enum Answer: Sendable, Equatable {
        /// No answer (not running, not reachable, a TLS or DNS failure).
        case silent
        /// Another founding pod on an empty data directory, probing as this one does.
        case probing
        /// A running node's view.
        case node(leader: UInt64, term: UInt64, lastIndex: UInt64)

        var showsACluster: Bool {
            guard case .node(let leader, let term, let lastIndex) = self else { return false }
            return leader != 0 || term > 1 || lastIndex > 1
        }
    }

    enum Decision: Sendable, Equatable {
        case join(through: String)
        case bootstrap
        case wait
    }

    /// The decision from one round's answers, by founding pod address (every other founding
    /// pod), given the pods seen probing in this round or an earlier one.
    static func decide(_ answers: [String: Answer], seenEmpty: Set<String>) -> Decision {
        let known = answers.keys.filter { !seenEmpty.contains($0) }.sorted()
        if let running = known.first(where: { answers[$0]?.showsACluster == true }) {
            return .join(through: running)
        }
        return known.contains { answers[$0] == .silent } ? .wait : .bootstrap
    }
}
