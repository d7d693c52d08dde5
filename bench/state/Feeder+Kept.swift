import Foundation
import SandboxState
import SandboxStateStore

extension Feeder {
    /// On a state kept by an earlier `--keep` run (bench/README.md, "State machine"): the same
    /// warm-up and measured decides as on a fresh state, against the same hot agents, on the
    /// state as that run left it (its agents and audit records in RocksDB's levels, the caches
    /// cold). Nothing is set up or generated. Each run adds its decides to the state, their
    /// request ids prefixed with the applied index it started at; `bench/state/count.sh --kept
    /// DIR` counts on a copy.
    func measureOnKeptState(decides: Int, hot: Int, batch: Int) throws -> Rate {
        let queries = StateQueries(RocksStateStorage(storage.state))
        guard try queries.budget(of: "agent-\(hot - 1)") != nil else {
            report("the kept state has no agent-\(hot - 1): build it with --hot \(hot) or more")
            exit(1)
        }
        time = max(time, machine.clockMillis)
        requestIDPrefix = "i\(index)-"
        _ = try measureDecides(min(20_000, decides), agents: hot, batch: batch, prefix: "warm")
        return try measureDecides(decides, agents: hot, batch: batch, prefix: "kept")
    }
}
