import NetworkAddress

/// A compiled `allow_cidrs` / `deny_cidrs` entry and its rule id (`network.deny_cidrs[0]`).
struct CIDRRule: Sendable {
    let block: CIDRBlock
    let ruleID: String
}
