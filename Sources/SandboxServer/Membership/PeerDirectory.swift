import Raft
import SandboxState
import SandboxTransport

/// Which peer addresses the transport dials and accepts: the members recorded in the
/// replicated state (`setMemberAddress`) over the configured `--peers`; when the membership is
/// known, configured peers that are no longer members are left out. Pure.
enum PeerDirectory {
    static func peers(
        configured: [NodeID: PeerAddress], recorded: [UInt64: MemberAddress], members: ConfState?, local: NodeID
    ) -> [NodeID: PeerAddress] {
        var peers: [NodeID: PeerAddress] = [:]
        let current = members.map { Set($0.voters + $0.learners) } ?? []
        for (id, address) in configured where current.isEmpty || current.contains(id) { peers[id] = address }
        for (id, member) in recorded {
            if let address = try? PeerAddress(parsing: member.peer) { peers[id] = address }
        }
        peers[local] = nil
        return peers
    }
}
