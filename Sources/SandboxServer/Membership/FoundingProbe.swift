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
///
/// Pods past the founding ones (elastic) are asked too: a cluster installed with fewer founding
/// replicas and scaled out may hold its data only on them. Their silence does not hold the
/// bootstrap back (a first install has none); but a pod that founds the cluster alone
/// (`--replicas 1`) bootstraps only after ``aloneRounds`` rounds in which none showed a cluster.
/// If every other pod is down for all of them, it cannot tell a lost disk from a first install
/// (docs/operations.md: found with 3 or 5).
enum FoundingProbe {
    /// Rounds (one a second) a pod founding the cluster alone asks the elastic pods first.
    static let aloneRounds = 5

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

    /// The decision from one round's answers, by pod address (every other founding pod, and the
    /// elastic ones asked, listed in `elastic`), given the pods seen probing in this round or an
    /// earlier one, in the `round`th round (from 1).
    static func decide(
        _ answers: [String: Answer], seenEmpty: Set<String>, elastic: Set<String> = [], round: Int = aloneRounds
    ) -> Decision {
        let known = answers.keys.filter { !seenEmpty.contains($0) }.sorted()
        if let running = known.first(where: { answers[$0]?.showsACluster == true }) {
            return .join(through: running)
        }
        let founding = answers.keys.filter { !elastic.contains($0) }
        if founding.isEmpty { return round < aloneRounds ? .wait : .bootstrap }
        return known.contains { !elastic.contains($0) && answers[$0] == .silent } ? .wait : .bootstrap
    }
}
