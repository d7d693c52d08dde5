import Foundation
import JSON
import Logging

/// How a founding StatefulSet pod decides, before it opens its storage, whether to bootstrap or
/// to rejoin the running cluster (docs/operations.md, "Replacing a node or disk").
extension SandboxNode {
    /// A founding pod with a rejoin recorded in its data directory resumes it; one on an empty
    /// data directory that finds the cluster running records the rejoin (durably, before the
    /// node creates any file) and rejoins. Either way it does not bootstrap.
    static func resolveRejoin(_ config: inout ServerConfig, logger: Logger) async throws(RejoinIntent.Problem) {
        guard let identity = config.statefulSet, !identity.isElastic else { return }
        if let stage = try RejoinIntent.read(in: config.dataDirectory) {
            logger.warning(
                "resuming an interrupted rejoin recorded in the data directory (not bootstrapping)",
                metadata: ["stage": "\(stage.rawValue)"])
            config.bootstrap = false
            config.rejoin = stage
        } else if try await clusterAlreadyRuns(config, logger: logger) {
            try RejoinIntent.staleSelfListed.record(in: config.dataDirectory)
            config.bootstrap = false
            config.rejoin = .staleSelfListed
        }
    }

    /// Whether a founding pod about to bootstrap on an empty data directory should join instead
    /// (``FoundingProbe``): the other pods that may be members are asked once a second (2 s each, in
    /// parallel) while this pod answers theirs (``ProbeResponder``), until the rule decides or
    /// 120 s pass; then it refuses to start (the pod restarts and asks again) rather than guess.
    static func clusterAlreadyRuns(_ config: ServerConfig, logger: Logger) async throws(RejoinIntent.Problem) -> Bool {
        guard let identity = config.statefulSet, config.bootstrap, !identity.isElastic,
            dataDirectoryIsEmpty(config.dataDirectory)
        else { return false }
        let elastic = identity.elasticHTTP(port: config.httpAddress.port)
        let targets = identity.foundingHTTP(port: config.httpAddress.port) + elastic
        let responder: ProbeResponder
        do { responder = try ProbeResponder.start(config, logger: logger) } catch {
            throw RejoinIntent.Problem(
                description: "cannot answer the other pods' probes on \(config.httpAddress): \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(120)
        var answers: [String: FoundingProbe.Answer] = [:]
        var seenEmpty = Set<String>()
        var decision = FoundingProbe.Decision.wait
        var round = 0
        while decision == .wait, ContinuousClock.now < deadline {
            answers = await askFounding(targets, config)
            round += 1
            seenEmpty.formUnion(answers.filter { $0.value == .probing }.keys)
            decision = FoundingProbe.decide(answers, seenEmpty: seenEmpty, elastic: Set(elastic), round: round)
            if decision == .wait { try? await Task.sleep(for: .seconds(1)) }
        }
        await responder.stop()
        switch decision {
        case .join(let through):
            logger.warning(
                "empty data directory, but the cluster already runs (\(through) has one): joining it instead of bootstrapping"
            )
            return true
        case .bootstrap:
            logger.info("no pod has a cluster yet and every founding pod answered (a first install): bootstrapping")
            return false
        case .wait:
            let silent = answers.filter {
                $0.value == .silent && !seenEmpty.contains($0.key) && !elastic.contains($0.key)
            }
            .keys.sorted()
            throw RejoinIntent.Problem(
                description: "empty data directory and founding pods \(silent) did not answer within 120 s: not "
                    + "bootstrapping (one of them may hold the cluster's data); start them, or check DNS and TLS between pods"
            )
        }
    }

    /// One round: every asked pod's answer to `GET /v1/cluster`, in parallel.
    private static func askFounding(_ targets: [String], _ config: ServerConfig) async -> [String: FoundingProbe.Answer]
    {
        await withTaskGroup(of: (String, FoundingProbe.Answer).self) { group in
            for address in targets {
                group.addTask {
                    let answer = await NodeHTTPClient.call("GET", address, "/v1/cluster", timeout: 2, via: config)
                    guard answer?.status == 200, let json = answer.flatMap({ try? JSONValue(parsing: Array($0.body)) })
                    else { return (address, .silent) }
                    if json["probing"] == .bool(true) { return (address, .probing) }
                    return (
                        address,
                        .node(
                            leader: json.uint64("leader") ?? 0, term: json.uint64("term") ?? 0,
                            lastIndex: json.uint64("last_index") ?? 0)
                    )
                }
            }
            var answers: [String: FoundingProbe.Answer] = [:]
            for await (address, answer) in group { answers[address] = answer }
            return answers
        }
    }

    /// No data yet: the directory is missing or holds nothing but a file system's `lost+found`.
    static func dataDirectoryIsEmpty(_ path: String) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return true }
        return entries.allSatisfy { $0 == "lost+found" }
    }

}
