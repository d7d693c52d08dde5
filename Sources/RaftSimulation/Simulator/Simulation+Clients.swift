import Raft

// The clients: batches of writes, mostly at a leader, and ReadIndex reads on any node.
extension Simulation {
    func proposeWrites() {
        let target: SimulatedNode?
        if random.chance(80) {
            // A running leader (the newest term's first when several believe they lead).
            var running = 0
            for node in nodes where node.isRunning && node.raft?.role == .leader { running += 1 }
            target =
                running > 1
                ? randomElement(leaders.filter(\.isRunning))
                : randomNode { $0.isRunning && $0.raft?.role == .leader }
        } else {
            target = randomNode(where: \.isRunning)
        }
        guard let node = target, let raft = node.raft else { return }
        let count = 1 + random.below(4)
        var batch: [[UInt8]] = []
        for _ in 0..<count {
            nextPayload += 1
            batch.append(Array("w\(nextPayload)".utf8))
        }
        do {
            let indices = try raft.propose(batch: batch)
            note("node \(node.id) accepts \(count) writes at \(indices.lowerBound)...\(indices.upperBound)")
            for (offset, index) in indices.enumerated() {
                recordProposal(batch[offset], term: raft.term, index: index)
                pendingWrites[node.id << 40 | index] = PendingWrite(
                    node: node.id, incarnation: node.incarnation, term: raft.term, payload: batch[offset])
            }
        } catch {
            note("node \(node.id) refuses writes: \(error)")
        }
    }

    func startRead() {
        guard let node = randomNode(where: \.isRunning), let raft = node.raft else { return }
        nextRead += 1
        let id = nextRead
        do {
            try raft.readIndex(Array("r\(id)".utf8))
            pendingReads[id] = PendingRead(
                node: node.id, incarnation: node.incarnation, mustObserve: highestAcknowledged)
            note("node \(node.id) starts read r\(id) (must observe index \(highestAcknowledged))")
        } catch {
            note("node \(node.id) refuses read r\(id): \(error)")
        }
    }
}
