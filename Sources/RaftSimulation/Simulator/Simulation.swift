@_spi(Testing) import Raft

/// A whole Raft cluster in one process, driven by one seed: a random scheduler delivers, drops,
/// reorders and duplicates messages, forms and heals partitions, crashes and restarts nodes,
/// changes membership, transfers leadership and runs clients, and checks the safety properties
/// after every step. Then it heals everything and checks that the cluster makes progress.
///
/// Its stored properties (and `SimulatedNode`'s) skip the dynamic exclusivity checks, like
/// `RaftNode`'s: one simulation runs on one thread, and the long mode runs 100,000 seeds.
public final class Simulation {
    public let seed: UInt64
    let options: SimulationOptions
    @exclusivity(unchecked) var random: Xoshiro256
    @exclusivity(unchecked) var nodes: [SimulatedNode] = []
    @exclusivity(unchecked) var network: [Message] = []
    /// Directed links that are cut, as `from << 32 | to`.
    @exclusivity(unchecked) var cutLinks: Set<UInt64> = []
    @exclusivity(unchecked) var step = 0
    @exclusivity(unchecked) var checker = SafetyChecker()
    @exclusivity(unchecked) var statistics = SimulationReport.Statistics()
    @exclusivity(unchecked) var violation: Violation?
    @exclusivity(unchecked) var tracer: ((String) -> Void)?
    /// Where the nodes persist (`SimulationOptions.nodeStores`), made when the run starts.
    @exclusivity(unchecked) var nodeStores: (any NodeStoreFactory)?
    /// Nodes removed from the membership (by any node applying the change).
    @exclusivity(unchecked) var removed: Set<NodeID> = []

    // Clients.
    struct PendingWrite {
        var node: NodeID
        var incarnation: Int
        var term: UInt64
        var payload: [UInt8]
    }
    struct PendingRead {
        var node: NodeID
        var incarnation: Int
        /// Every write acknowledged before the read began is at or below this index.
        var mustObserve: UInt64
    }
    @exclusivity(unchecked) var pendingWrites: [UInt64: PendingWrite] = [:]  // keyed by node << 40 | index
    @exclusivity(unchecked) var nextPayload: UInt64 = 0
    @exclusivity(unchecked) var highestAcknowledged: UInt64 = 0
    @exclusivity(unchecked) var pendingReads: [UInt64: PendingRead] = [:]
    @exclusivity(unchecked) var nextRead: UInt64 = 0
    @exclusivity(unchecked) var livenessDeliveries = 0
    /// The liveness phase's current probe entry, and whether a node has applied it.
    struct LivenessProbe {
        var index: UInt64
        var term: UInt64
        var payload: [UInt8]
        var appliedSomewhere = false
    }
    @exclusivity(unchecked) var livenessProbe: LivenessProbe?

    // Acknowledgement and origin tracking (`Simulation+Durability.swift`).
    /// Per term: the highest index each node acknowledged to that term's leader.
    @exclusivity(unchecked) var acknowledgements: [UInt64: [NodeID: UInt64]] = [:]
    /// Per term: the highest index known committed from those acknowledgements.
    @exclusivity(unchecked) var acknowledgedUpTo: [UInt64: UInt64] = [:]
    struct ProposalOrigin: Hashable {
        var term: UInt64
        var index: UInt64
    }
    /// Every payload a leader accepted, with where it put it.
    @exclusivity(unchecked) var proposals: [[UInt8]: [ProposalOrigin]] = [:]

    // Timing faults and availability (`Simulation+Timing.swift`, `Simulation+Availability.swift`).
    /// Messages held back across elections, with the step they are delivered at.
    @exclusivity(unchecked) var delayed: [(release: Int, message: Message)] = []
    /// A long partition holds until this step: no heal and no other partition before.
    @exclusivity(unchecked) var partitionHoldUntil = 0
    /// A leader cut off from the others holds so until it has ticked `untilTicks` times (its
    /// own clock: CheckQuorum must get its chance at every clock rate and cluster size) or is
    /// down.
    @exclusivity(unchecked) var leaderCutHold: (node: NodeID, untilTicks: Int)?
    /// Recent appends carrying entries, as sent (a ring of `sentAppendsKept`): the network may
    /// deliver a copy of one again much later (`Simulation+Timing.swift`).
    @exclusivity(unchecked) var sentAppends: [Message] = []
    @exclusivity(unchecked) var sentAppendsCount = 0
    static let sentAppendsKept = 32
    /// The earliest step at which a held-back message is due, a paused node resumes, or the
    /// supervisor restarts a crashed node (`Int.max`: none), so most steps skip those scans.
    @exclusivity(unchecked) var nextDelayRelease = Int.max
    @exclusivity(unchecked) var nextResumeStep = Int.max
    @exclusivity(unchecked) var nextRestartStep = Int.max
    struct ProgressWindow {
        var voters: [NodeID] = []
        var committed: UInt64 = 0
        var startTicks: [NodeID: Int] = [:]
    }
    @exclusivity(unchecked) var progressWindow = ProgressWindow()
    @exclusivity(unchecked) var progressTicks = 0

    static let networkLimit = 4096

    public init(seed: UInt64, options: SimulationOptions) {
        self.seed = seed
        var options = options
        if options.varyConfigurationWithSeed {
            // A stream of its own, so the configuration does not shift the events' stream.
            var draw = Xoshiro256(seed: seed ^ 0xC0F1_6A7E_5EED_0001)
            options.preVote = draw.chance(50)
            options.checkQuorum = draw.chance(50)
            options.electionTicks = [6, 8, 12, 16][draw.below(4)]
            options.minimumVoters = [1, 2, nil, nil][draw.below(4)]
        }
        if options.varyLimitsWithSeed {
            let variant = Int(seed % 3)
            options.limits.maxMessageBytes = [1, 16, 256][variant]
            options.limits.maxInflightMessages = [1, 4, 16][variant]
        }
        self.options = options
        random = Xoshiro256(seed: seed)
    }

    /// Runs the seed; `trace` receives one line per event when given.
    public func run(trace: ((String) -> Void)? = nil) -> SimulationReport {
        tracer = trace
        bootstrap()
        while step < options.steps && violation == nil {
            step += 1
            performRandomEvent()
            checkSafety()
        }
        if violation == nil { checkLiveness() }
        nodeStores?.finish()
        statistics.leadersElected = checker.leadersElected
        statistics.highestCommitted = checker.highestCommitted
        return SimulationReport(seed: seed, violation: violation, steps: step, statistics: statistics)
    }

    func note(_ text: @autoclosure () -> String) {
        guard let tracer else { return }
        tracer("[\(step)] \(text())")
    }

    func fail(_ property: Violation.Property, _ detail: String) {
        guard violation == nil else { return }
        violation = Violation(property: property, step: step, detail: detail)
        note("VIOLATION \(property.rawValue): \(detail)")
    }

    // MARK: - Set-up

    func bootstrap() {
        let voters = (1...UInt64(options.nodes)).map { $0 }
        guard let stores = makeNodeStores() else { return }
        for id in voters {
            let initial = HashChainMachine(applied: 1, hash: 0)
            guard
                let store = makeStore(id, { try stores.founder(id, conf: ConfState(voters: voters), machine: initial) })
            else { return }
            let node = SimulatedNode(id: id, store: store)
            node.machine = initial
            node.clockRate = random.between(options.clockRatePercent)
            nodes.append(node)
            start(node)
        }
        for offset in 0..<UInt64(options.spareNodes) {
            let id = UInt64(options.nodes) + 1 + offset
            guard let store = makeStore(id, { try stores.joiner(id) }) else { return }
            let spare = SimulatedNode(id: id, store: store)
            spare.clockRate = random.between(options.clockRatePercent)
            nodes.append(spare)
        }
        note(
            "cluster of \(options.nodes) voters, \(options.spareNodes) spare nodes, seed \(seed): preVote \(options.preVote), checkQuorum \(options.checkQuorum), electionTicks \(options.electionTicks), down to \(options.minimumVoters ?? options.nodes) voters, clock rates \(nodes.map(\.clockRate))%"
        )
    }

    func node(_ id: NodeID) -> SimulatedNode? {
        guard id >= 1 && id <= UInt64(nodes.count) else { return nil }
        return nodes[Int(id - 1)]
    }

    func start(_ node: SimulatedNode) {
        var config = RaftConfig(id: node.id)
        config.electionTicks = options.electionTicks
        config.preVote = options.preVote
        config.checkQuorum = options.checkQuorum
        config.applied = node.machine.applied
        config.limits = options.limits
        do {
            // The runtime applies durable committed entries in parallel with a write that may
            // carry the commit index that covers them (`Ready.durableCommittedCount`): a crash
            // between the two leaves the applied index above the stored commit index. What was
            // applied was committed, so the stored commit index is raised to it, as SandboxCluster's
            // driver does at start (`RaftDriver.raiseStoredCommit`); an applied index beyond the
            // log (a runtime that applied what it had not persisted) is not.
            let (hard, _) = try node.storage.initialState()
            if config.applied > hard.commit, try config.applied <= node.storage.lastIndex() {
                var raised = hard
                raised.commit = config.applied
                try node.storage.setHardState(raised)
            }
            // Through the test seam: invariant violations are recorded and reported with the seed
            // (never a crash), and the mutation under test, if any, is switched on.
            let seam = MutationSeam(mutations: options.mutations, recordsViolations: true)
            let raft = try RaftNode(config: config, storage: node.storage, seed: random.next(), seam: seam)
            node.raft = raft
            node.lastCommit = raft.commitIndex
            node.started = true
        } catch {
            fail(.runtime, "node \(node.id) cannot restart from its storage: \(error)")
        }
    }

    /// Nodes that are up and not paused.
    var liveNodes: [SimulatedNode] { nodes.filter(\.isRunning) }

    func randomElement<T>(_ array: [T]) -> T? {
        array.isEmpty ? nil : array[random.below(array.count)]
    }

    /// Live nodes that believe they lead, newest term first.
    var leaders: [SimulatedNode] {
        nodes.filter { $0.raft?.role == .leader }.sorted { ($0.raft?.term ?? 0) > ($1.raft?.term ?? 0) }
    }

    // MARK: - Events

    func restartDueNodes() {
        guard step >= nextRestartStep else { return }
        nextRestartStep = Int.max
        for node in nodes where !node.isUp && node.started && node.restartAtStep > step {
            nextRestartStep = min(nextRestartStep, node.restartAtStep)
        }
        for node in nodes where !node.isUp && node.started && node.restartAtStep <= step {
            start(node)
            note("supervisor restarts node \(node.id) at term \(node.raft?.term ?? 0), applied \(node.machine.applied)")
        }
    }

    func performRandomEvent() {
        restartDueNodes()
        resumeDueNodes()
        releaseDelayedMessages()
        if violation != nil { return }
        // Stormy and calm periods alternate, so faults both pile up and get healed.
        let stormy = (step / 400) % 2 == 0
        if options.faults && random.below(1000) < (stormy ? 60 : 8) { return injectFault() }
        let roll = random.below(100)
        switch roll {
        case 0..<40: deliverRandomMessage()
        case 40..<68: handleRandomReady()
        case 68..<84: tickRandomNode()
        case 84..<93: proposeWrites()
        default: startRead()
        }
    }

    func send(_ messages: [Message]) {
        checkOutgoing(messages)
        for message in messages {
            if message.kind == .append && !message.entries.isEmpty { keepSentAppend(message) }
            if network.count >= Self.networkLimit { network.remove(at: random.below(network.count)) }
            network.append(message)
        }
    }

    func isCut(_ from: NodeID, _ to: NodeID) -> Bool { cutLinks.contains(from << 32 | to) }

    func deliverRandomMessage() {
        guard !network.isEmpty else { return handleRandomReady() }
        // Mostly in order with local reordering; sometimes any message (a long delay).
        let position = random.chance(85) ? random.below(min(network.count, 4)) : random.below(network.count)
        if options.faults && random.below(1000) < options.replayPerMille && replayStaleAppend() { return }
        let message = network.remove(at: position)
        if maybeDelay(message) { return }
        deliver(message, faulty: true)
    }

    func deliver(_ message: Message, faulty: Bool) {
        guard let target = node(message.to), let raft = target.raft else { return }
        if target.paused { return target.held.append(message) }  // read once it resumes
        if isCut(message.from, message.to) { return }
        if faulty && random.chance(options.dropPercent) {
            note("drop \(message)")
            return
        }
        if faulty && random.chance(options.duplicatePercent) { network.append(message) }
        note("deliver \(message)")
        statistics.messagesDelivered += 1
        if raft.role == .leader && message.term == raft.term
            && (message.kind == .appendResponse || message.kind == .heartbeatResponse)
        {
            target.watchLeadership(term: raft.term)
            target.leaderWatch.heard[message.from] = target.ticks
        }
        raft.step(message)
    }

    /// Handles the Ready of a running node that has one (drawn as `randomElement` of those, in
    /// node order, without building the list: this runs at every other step).
    func handleRandomReady() {
        var ready: UInt64 = 0
        for index in nodes.indices where nodes[index].isRunning && nodes[index].raft?.hasReady == true {
            ready |= 1 << UInt64(index)
        }
        guard ready != 0 else { return tickRandomNode() }
        var pick = random.below(ready.nonzeroBitCount)
        for index in nodes.indices where ready & (1 << UInt64(index)) != 0 {
            if pick == 0 { return handleReady(nodes[index], faulty: true) }
            pick -= 1
        }
    }

    /// A node drawn uniformly among those `include` accepts, in node order — the same draw as
    /// `randomElement(nodes.filter(include))`, without building the list.
    func randomNode(where include: (SimulatedNode) -> Bool) -> SimulatedNode? {
        var count = 0
        for node in nodes where include(node) { count += 1 }
        guard count > 0 else { return nil }
        var pick = random.below(count)
        for node in nodes where include(node) {
            if pick == 0 { return node }
            pick -= 1
        }
        return nil
    }

}
