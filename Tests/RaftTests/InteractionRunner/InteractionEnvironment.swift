@_spi(Testing) import Raft
@_spi(Testing) import RaftSimulation

/// Interprets the commands of the data-driven interaction tests (etcd style) against a
/// `ManualCluster` and returns what happened as text.
final class InteractionEnvironment {
    struct CommandError: Error, CustomStringConvertible {
        var description: String
    }

    private var cluster: ManualCluster?
    private var electionTicks = 10
    private var heartbeatTicks = 1

    func run(_ line: String) throws -> [String] {
        let words = line.split(separator: " ").map(String.init)
        guard let command = words.first else { return [] }
        let arguments = Array(words.dropFirst())
        if command == "cluster" { return try makeCluster(arguments) }
        guard let cluster else { throw CommandError(description: "start with `cluster voters=1,2,3`") }
        _ = cluster.takeTranscript()
        var output: [String] = []
        switch command {
        case "campaign":
            let id = try node(arguments, 0)
            cluster.node(id).campaign()
            output.append(cluster.status(id))
        case "elect":
            // For scripts whose subject is not the election: campaign and settle, show the outcome.
            let id = try node(arguments, 0)
            cluster.node(id).campaign()
            cluster.stabilize()
            _ = cluster.takeTranscript()
            output += cluster.ids.map(cluster.status)
        case "tick-election":
            for id in try nodes(arguments) { cluster.tick(id, times: 2 * electionTicks) }
            output += try nodes(arguments).map(cluster.status)
        case "tick-heartbeat":
            for id in try nodes(arguments) { cluster.tick(id, times: heartbeatTicks) }
            output += try nodes(arguments).map(cluster.status)
        case "tick":
            let id = try node(arguments, 0)
            cluster.tick(id, times: try number(arguments, 1))
            output.append(cluster.status(id))
        case "process-ready":
            for id in try nodes(arguments) { cluster.processReady(id) }
        case "deliver-msgs":
            if arguments.isEmpty {
                cluster.deliverMessages()
            } else {
                for id in try nodes(arguments) { cluster.deliverMessages(to: id) }
            }
        case "drop-msgs":
            let id = try node(arguments, 0)
            let kinds = arguments.dropFirst()
            guard !kinds.isEmpty else { throw CommandError(description: "drop-msgs N KIND..") }
            let lost = cluster.discardMessages(to: id) { kinds.contains("\($0.kind)") }
            if lost.isEmpty { output.append("nothing to drop") }
        case "stabilize":
            cluster.stabilize()
        case "partition":
            guard let bar = arguments.firstIndex(of: "|") else { throw CommandError(description: "partition 1 2 | 3") }
            cluster.partition(try nodes(Array(arguments[..<bar])), try nodes(Array(arguments[(bar + 1)...])))
        case "isolate":
            cluster.isolate(try node(arguments, 0))
        case "heal":
            cluster.heal()
        case "drop-snapshots":
            cluster.dropFilter = { $0.kind == .snapshot }
            output.append("snapshots will be dropped")
        case "deliver-snapshots":
            cluster.dropFilter = nil
            output.append("snapshots will be delivered")
        case "propose":
            let id = try node(arguments, 0)
            output.append(
                outcome {
                    "index \(try cluster.node(id).propose(Array(arguments.dropFirst().joined(separator: " ").utf8)))"
                })
        case "propose-conf-change":
            let id = try node(arguments, 0)
            let change = try confChange(Array(arguments.dropFirst()))
            output.append(outcome { "index \(try cluster.node(id).proposeConfChange(change))" })
        case "add-node":
            cluster.addNode(try node(arguments, 0))
        case "read-index":
            let id = try node(arguments, 0)
            let context = Array((arguments.count > 1 ? arguments[1] : "").utf8)
            output.append(
                outcome {
                    try cluster.node(id).readIndex(context)
                    return "ok"
                })
        case "read-states":
            let id = try node(arguments, 0)
            let member = cluster.members[id]
            for state in member?.readStates ?? [] {
                output.append("index=\(state.index) context=\(String(decoding: state.context, as: UTF8.self))")
            }
            member?.readStates.removeAll()
            if output.isEmpty { output.append("none") }
        case "transfer-leader":
            let from = try node(arguments, 0)
            let to = try node(arguments, 1)
            output.append(
                outcome {
                    try cluster.node(from).transferLeadership(to: to)
                    return "ok"
                })
        case "compact":
            let id = try node(arguments, 0)
            let member = cluster.members[id]!
            let index = member.appliedIndex
            try member.storage.createSnapshot(at: index, conf: cluster.node(id).confState, data: [])
            try member.storage.compact(upTo: index)
            output.append("node \(id) compacted up to \(index); first index \(cluster.node(id).firstIndex)")
        case "crash":
            cluster.crash(try node(arguments, 0))
        case "restart":
            cluster.restart(try node(arguments, 0))
        case "status":
            output += (arguments.isEmpty ? cluster.ids : try nodes(arguments)).map(cluster.status)
        case "log":
            let raft = cluster.node(try node(arguments, 0))
            let entries = raft.entries(from: raft.firstIndex, to: raft.lastIndex + 1) ?? []
            output.append(entries.isEmpty ? "empty" : entries.map(\.shortDescription).joined(separator: " "))
        case "conf":
            let conf = cluster.node(try node(arguments, 0)).confState
            output.append("voters=\(conf.voters) learners=\(conf.learners)")
        default:
            throw CommandError(description: "unknown command \(command)")
        }
        return cluster.takeTranscript() + output
    }

    private func outcome(_ body: () throws -> String) -> String {
        do {
            return try body()
        } catch {
            return "error: \(error)"
        }
    }

    private func makeCluster(_ arguments: [String]) throws -> [String] {
        var voters: [NodeID] = []
        var learners: [NodeID] = []
        var preVote = true
        var checkQuorum = true
        var maxMessageBytes = RaftLimits().maxMessageBytes
        var maxInflight = RaftLimits().maxInflightMessages
        var mutations: Mutations = []
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CommandError(description: "expected key=value, got \(argument)") }
            switch parts[0] {
            case "voters": voters = try parts[1].split(separator: ",").map { try parseID(String($0)) }
            case "learners": learners = try parts[1].split(separator: ",").map { try parseID(String($0)) }
            case "prevote": preVote = parts[1] == "true"
            case "checkquorum": checkQuorum = parts[1] == "true"
            case "election": electionTicks = try parseNumber(parts[1])
            case "heartbeat": heartbeatTicks = try parseNumber(parts[1])
            case "max-msg-bytes": maxMessageBytes = try parseNumber(parts[1])
            case "max-inflight": maxInflight = try parseNumber(parts[1])
            case "mutation":
                guard let mutation = Mutations(named: parts[1]) else {
                    throw CommandError(description: "unknown mutation \(parts[1])")
                }
                mutations = mutation
            default: throw CommandError(description: "unknown cluster option \(parts[0])")
            }
        }
        let election = electionTicks
        let heartbeat = heartbeatTicks
        let (preVoteOn, checkQuorumOn, messageBytes, inflight) = (preVote, checkQuorum, maxMessageBytes, maxInflight)
        // A broken core (mutation) records broken invariants instead of stopping the test run.
        let seam =
            mutations.isEmpty ? MutationSeam.production : MutationSeam(mutations: mutations, recordsViolations: true)
        let cluster = ManualCluster(
            voters: voters, learners: learners, recordsTranscript: true, seam: seam
        ) { config in
            config.preVote = preVoteOn
            config.checkQuorum = checkQuorumOn
            config.electionTicks = election
            config.heartbeatTicks = heartbeat
            config.limits.maxMessageBytes = messageBytes
            config.limits.maxInflightMessages = inflight
            config.limits.maxPromotionLag = 0
        }
        self.cluster = cluster
        return cluster.ids.map(cluster.status)
    }

    private func confChange(_ arguments: [String]) throws -> ConfChange {
        guard arguments.count == 2 else { throw CommandError(description: "expected add-voter|add-learner|remove N") }
        let id = try parseID(arguments[1])
        switch arguments[0] {
        case "add-voter": return ConfChange(.addVoter, node: id)
        case "add-learner": return ConfChange(.addLearner, node: id)
        case "remove": return ConfChange(.removeNode, node: id)
        default: throw CommandError(description: "unknown change \(arguments[0])")
        }
    }

    private func node(_ arguments: [String], _ position: Int) throws -> NodeID {
        guard position < arguments.count else { throw CommandError(description: "missing node id") }
        return try parseID(arguments[position])
    }

    private func nodes(_ arguments: [String]) throws -> [NodeID] {
        try arguments.map(parseID)
    }

    private func number(_ arguments: [String], _ position: Int) throws -> Int {
        guard position < arguments.count else { throw CommandError(description: "missing number") }
        return try parseNumber(arguments[position])
    }

    private func parseID(_ text: String) throws -> NodeID {
        guard let id = NodeID(text), id > 0 else { throw CommandError(description: "bad node id \(text)") }
        return id
    }

    private func parseNumber(_ text: String) throws -> Int {
        guard let value = Int(text), value >= 0, value <= 100_000 else {
            throw CommandError(description: "bad number \(text)")
        }
        return value
    }
}
