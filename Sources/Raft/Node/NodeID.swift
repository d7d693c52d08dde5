/// Identifies a node of the cluster. `0` means "none" (no vote, no leader).
public typealias NodeID = UInt64
