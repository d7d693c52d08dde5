/// Versions of the apply rules: what a build does with each command, and which commands it
/// knows.
///
/// Every node must apply the same entries the same way, also while a rolling upgrade runs two
/// builds side by side. So a build that changes what apply does (a new command, a changed rule)
/// keeps the old behaviour until the cluster has moved to the new rules version, and the move
/// is itself a log entry (``Command/setRulesVersion(version:actor:)``) that the leader proposes
/// only once every member reports a build that implements it (etcd's cluster version plays
/// this part). From that entry on, every node applies the new rules; a node whose build is too
/// old to implement them stops applying, with an error saying so, instead of diverging.
///
/// - A command introduced at rules version *n* (``Command/introducedInRules``) is refused on
///   every node while the cluster runs an older version (an older build refuses it as
///   malformed: the same outcome, nothing changed).
/// - A changed rule reads ``StateMachine/rulesVersion`` and keeps the old behaviour below its
///   version.
/// - Versions only grow; a state written before the gate runs version 1.
public enum RulesVersion {
    /// The rules every state starts with (and every state written before the gate runs).
    public static let initial: UInt32 = 1
    /// The newest rules this build implements. Raise it with the change that needs it, and
    /// list the change in `docs/state.md` ("Rules versions").
    public static let supported: UInt32 = 3
}

extension Command {
    /// The rules version that introduced this command: refused on every node before the
    /// cluster has moved to it. Every command so far is in the first version.
    public var introducedInRules: UInt32 {
        switch self {
        default: return RulesVersion.initial
        }
    }
}
