@_spi(Testing) import Raft

/// A cluster driven by hand: the interaction tests, the unit tests and the benchmark use it.
/// Messages wait in one mailbox per node until delivered; a `Ready` is handled exactly as the
/// persistence contract says. With `recordsTranscript`, every action is described in
/// `transcript` (the interaction tests compare it with the expected output).
///
/// Its stored properties (and `Member`'s) skip the dynamic exclusivity checks, like `RaftNode`'s:
/// the benchmark drives the core through it.
public final class ManualCluster {
    public final class Member {
        public let id: NodeID
        public let storage: MemoryLogStorage
        @exclusivity(unchecked) public var raft: RaftNode?
        /// Entries applied, in order (kept only when `keepsAppliedEntries`).
        @exclusivity(unchecked) public var applied: [Entry] = []
        @exclusivity(unchecked) public var appliedIndex: UInt64 = 0
        @exclusivity(unchecked) public var appliedCount = 0
        @exclusivity(unchecked) public var readStates: [ReadState] = []
        @exclusivity(unchecked) var inbox: [Message] = []

        init(id: NodeID, storage: MemoryLogStorage) {
            self.id = id
            self.storage = storage
        }
    }

    @exclusivity(unchecked) public private(set) var members: [NodeID: Member] = [:]
    /// The members in id order: a linear search beats hashing for a handful of nodes.
    @exclusivity(unchecked) private var memberList: [Member] = []

    func register(_ member: Member) {
        members[member.id] = member
        memberList = members.values.sorted { $0.id < $1.id }
        ids = memberList.map(\.id)
    }

    func lookUp(_ id: NodeID) -> Member? {
        for member in memberList where member.id == id { return member }
        return nil
    }
    @exclusivity(unchecked) public var recordsTranscript: Bool
    @exclusivity(unchecked) public var keepsAppliedEntries = true
    @exclusivity(unchecked) public private(set) var transcript: [String] = []
    @exclusivity(unchecked) var cutLinks: Set<UInt64> = []
    /// Messages for which this returns true are dropped (besides those across partitions).
    @exclusivity(unchecked) public var dropFilter: (@Sendable (Message) -> Bool)?
    let configure: @Sendable (inout RaftConfig) -> Void
    /// Production nodes unless built through the `Testing` SPI initializer.
    let seam: MutationSeam
    @exclusivity(unchecked) var seed: UInt64 = 1

    /// A cluster whose voters (and learners) start with empty logs and know the membership.
    public convenience init(
        voters: [NodeID], learners: [NodeID] = [], recordsTranscript: Bool = false,
        configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
    ) {
        self.init(
            voters: voters, learners: learners, recordsTranscript: recordsTranscript, seam: .production,
            configure: configure)
    }

    /// A cluster whose nodes are built through the test seam (a mutation switched on, invariant
    /// violations recorded: see `RaftNode.invariantViolation`).
    @_spi(Testing) public init(
        voters: [NodeID], learners: [NodeID] = [], recordsTranscript: Bool = false, seam: MutationSeam,
        configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
    ) {
        self.recordsTranscript = recordsTranscript
        self.configure = configure
        self.seam = seam
        let conf = ConfState(voters: voters, learners: learners)
        for id in voters + learners {
            let member = Member(id: id, storage: MemoryLogStorage(bootstrap: conf))
            member.appliedIndex = 1
            register(member)
            start(member)
        }
    }

    /// Member ids in order (kept sorted as nodes are added).
    @exclusivity(unchecked) public private(set) var ids: [NodeID] = []

    public func node(_ id: NodeID) -> RaftNode {
        guard let raft = members[id]?.raft else { preconditionFailure("node \(id) is not running") }
        return raft
    }

    func record(_ line: @autoclosure () -> String) {
        if recordsTranscript { transcript.append(line()) }
    }

    /// Takes the transcript recorded so far.
    public func takeTranscript() -> [String] {
        defer { transcript.removeAll() }
        return transcript
    }

    func start(_ member: Member) {
        var config = RaftConfig(id: member.id)
        config.applied = member.appliedIndex
        configure(&config)
        seed &+= 0x9E37_79B9
        do {
            member.raft = try RaftNode(config: config, storage: member.storage, seed: seed &+ member.id, seam: seam)
        } catch {
            preconditionFailure("cannot start node \(member.id): \(error)")
        }
    }

    /// Adds a node with an empty log and no membership (it learns both from the leader).
    public func addNode(_ id: NodeID) {
        guard members[id] == nil else { return }
        let member = Member(id: id, storage: MemoryLogStorage())
        register(member)
        start(member)
        record("node \(id) started with an empty log")
    }

    /// Stops a node, keeping only what it persisted.
    public func crash(_ id: NodeID) {
        guard let member = members[id] else { return }
        member.raft = nil
        member.inbox.removeAll()
        record(
            "node \(id) crashed (last index \((try? member.storage.lastIndex()) ?? 0), term \(member.storage.hardState.term))"
        )
    }

    public func restart(_ id: NodeID) {
        guard let member = members[id], member.raft == nil else { return }
        start(member)
        let raft = node(id)
        record("node \(id) restarted: term \(raft.term), commit \(raft.commitIndex), applied \(member.appliedIndex)")
    }

    /// Cuts every link between the two groups (both ways).
    public func partition(_ a: [NodeID], _ b: [NodeID]) {
        for x in a {
            for y in b where x != y {
                cutLinks.insert(x << 32 | y)
                cutLinks.insert(y << 32 | x)
            }
        }
        record("partitioned \(a) from \(b)")
    }

    public func isolate(_ id: NodeID) {
        partition([id], ids.filter { $0 != id })
    }

    public func heal() {
        cutLinks.removeAll()
        record("healed")
    }

    // MARK: - Driving

    public func tick(_ id: NodeID, times: Int = 1) {
        guard let raft = members[id]?.raft else { return }
        for _ in 0..<times { raft.tick() }
    }

    /// Handles one `Ready` of a node (if it has one). Returns whether it did.
    @discardableResult
    public func processReady(_ id: NodeID) -> Bool {
        guard let member = lookUp(id), let raft = member.raft, raft.hasReady else { return false }
        let ready = raft.ready()
        if recordsTranscript { describe(ready, of: id) }
        post(ready.messages)
        do {
            if let snapshot = ready.snapshot {
                // State first, then the log (as the persistence contract says): installing the
                // state moves the log too, so `applySnapshot` is a no-op, as on the RocksDB store.
                member.appliedIndex = snapshot.metadata.index
                try member.storage.installSnapshotState(snapshot)
                try member.storage.applySnapshot(snapshot)
            }
            if !ready.entries.isEmpty { try member.storage.append(ready.entries) }
            if let hard = ready.hardState { try member.storage.setHardState(hard) }
        } catch {
            preconditionFailure("memory storage refused a Ready: \(error)")
        }
        post(ready.messagesAfterPersist)
        for entry in ready.committedEntries {
            if entry.kind == .configChange, let change = try? ConfChange(decoding: entry.data) {
                let conf = raft.applyConfChange(change)
                try? member.storage.setConfState(conf)
                record("  node \(id) applied \(change): voters=\(conf.voters) learners=\(conf.learners)")
            }
            member.appliedIndex = entry.index
            member.appliedCount += 1
            if keepsAppliedEntries { member.applied.append(entry) }
        }
        if let last = ready.committedEntries.last {
            do {
                try member.storage.setAppliedIndex(last.index)
            } catch {
                preconditionFailure("memory storage refused the applied index \(last.index): \(error)")
            }
        }
        member.readStates.append(contentsOf: ready.readStates)
        raft.advance(ready)
        return true
    }

    func post(_ messages: [Message]) {
        for message in messages {
            guard let target = lookUp(message.to) else { continue }
            if (!cutLinks.isEmpty && cutLinks.contains(message.from << 32 | message.to)) || dropFilter?(message) == true
            {
                record("  dropped \(message)")
                continue
            }
            target.inbox.append(message)
        }
    }

    /// Delivers every message waiting for `id` (or for every node). Returns how many.
    @discardableResult
    public func deliverMessages(to id: NodeID? = nil) -> Int {
        var delivered = 0
        for target in id.map({ [$0] }) ?? ids {
            guard let member = lookUp(target) else { continue }
            var inbox: [Message] = []
            swap(&inbox, &member.inbox)
            guard let raft = member.raft else { continue }
            if !inbox.isEmpty { record("> \(target) receiving messages") }
            for message in inbox {
                record("  \(message)")
                raft.step(message)
                delivered += 1
            }
        }
        return delivered
    }

    /// Discards the messages waiting for `id` that `predicate` selects (a message lost in
    /// flight after it was sent); returns them.
    @discardableResult
    public func discardMessages(to id: NodeID, where predicate: (Message) -> Bool) -> [Message] {
        guard let member = lookUp(id) else { return [] }
        let lost = member.inbox.filter(predicate)
        member.inbox.removeAll(where: predicate)
        for message in lost { record("  lost \(message)") }
        return lost
    }

    /// Handles Readies and delivers messages until nothing moves (at most `rounds` rounds).
    public func stabilize(rounds: Int = 1000) {
        for _ in 0..<rounds {
            var busy = false
            for id in ids where processReady(id) { busy = true }
            if deliverMessages() > 0 { busy = true }
            if !busy { return }
        }
    }

    public var pendingMessageCount: Int { members.values.reduce(0) { $0 + $1.inbox.count } }

    func describe(_ ready: Ready, of id: NodeID) {
        record("> \(id) handling Ready")
        if let soft = ready.softState { record("  Role: \(soft.role) leader=\(soft.leader)") }
        if let hard = ready.hardState {
            record("  HardState term=\(hard.term) vote=\(hard.vote) commit=\(hard.commit)")
        }
        if let snapshot = ready.snapshot {
            let meta = snapshot.metadata
            record(
                "  Snapshot index=\(meta.index) term=\(meta.term) voters=\(meta.conf.voters) learners=\(meta.conf.learners)"
            )
        }
        if !ready.entries.isEmpty {
            record("  Entries: " + ready.entries.map(\.shortDescription).joined(separator: " "))
        }
        if !ready.committedEntries.isEmpty {
            record("  Committed: " + ready.committedEntries.map(\.shortDescription).joined(separator: " "))
        }
        for message in ready.messages { record("  Send \(message)") }
        for message in ready.messagesAfterPersist { record("  Send after persist \(message)") }
        for read in ready.readStates {
            record("  ReadState index=\(read.index) context=\(String(decoding: read.context, as: UTF8.self))")
        }
    }

    /// One line per node: role, term, leader, commit, applied, log range.
    public func status(_ id: NodeID) -> String {
        guard let member = members[id] else { return "\(id): unknown" }
        guard let raft = member.raft else { return "\(id): down" }
        return
            "\(id): \(raft.role) term=\(raft.term) leader=\(raft.leader) commit=\(raft.commitIndex) applied=\(member.appliedIndex) log=[\(raft.firstIndex), \(raft.lastIndex)]"
    }
}
