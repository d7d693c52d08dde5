import Foundation
import Logging
import Raft
import SandboxCluster
import SandboxState
import SandboxStateStore
import SandboxTransport

extension SandboxNode {
    /// Points the transport at the current members' recorded addresses (on the driver's thread
    /// after an apply that changed them, and at start).
    static func refreshPeers(
        config: ServerConfig, state: RocksStateStorage, members: ConfState?, transport: TCPPeerTransport,
        logger: Logger
    ) {
        do {
            let recorded = try StateQueries(state).memberAddresses()
            let known = members.flatMap { $0.voters.isEmpty && $0.learners.isEmpty ? nil : $0 }
            let peers = PeerDirectory.peers(
                configured: config.peers, recorded: recorded, members: known, local: config.nodeID)
            transport.setPeers(peers.mapValues(config.hosts.dial))
        } catch {
            logger.error("cannot read the member addresses", metadata: ["error": "\(error)"])
        }
    }

    /// This node's addresses as recorded in the state.
    var ownAddress: MemberAddress {
        MemberAddress(
            node: config.nodeID, peer: config.advertisedPeer.description, http: config.advertisedHTTP.description)
    }

    /// Until cancelled (every 100 ms until recorded, then every second): while this node is a
    /// member and a leader is known, records its addresses in the replicated state when they are
    /// missing or changed.
    func announceAddresses(logger: Logger) async {
        while !Task.isCancelled {
            let status = driver.status
            let member =
                status.membership.voters.contains(config.nodeID)
                || status.membership.learners.contains(config.nodeID)
            let recorded = (try? queries.memberAddresses()[config.nodeID]) == ownAddress
            if member, !recorded, status.leader != 0, status.stopped == nil {
                let command = Command.setMemberAddress(
                    node: ownAddress.node, peer: ownAddress.peer, http: ownAddress.http, actor: "node-\(config.nodeID)")
                do {
                    _ = try await driver.propose(CommandEnvelope.encode(command, timeMillis: Self.nowMillis))
                    logger.info(
                        "addresses recorded", metadata: ["peer": "\(ownAddress.peer)", "http": "\(ownAddress.http)"])
                } catch {
                    logger.debug("recording the addresses failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: recorded ? .seconds(1) : .milliseconds(100))
        }
    }

    /// The HTTP address of `node` recorded in the state.
    func httpAddress(of node: NodeID) -> String? {
        (try? queries.memberAddresses()[node])?.http
    }

    static var nowMillis: UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
}
