/// Runs many seeds, a few at a time, in a task group.
public enum SeedRunner {
    /// Runs every seed of `seeds` and returns the reports in seed order. At most `parallelism`
    /// simulations run at once; each is confined to its own task.
    public static func run(
        seeds: ClosedRange<UInt64>, options: SimulationOptions, parallelism: Int,
        onReport: (@Sendable (SimulationReport) -> Void)? = nil
    ) async -> [SimulationReport] {
        let width = max(1, parallelism)
        var reports: [SimulationReport] = []
        reports.reserveCapacity(seeds.count)
        await withTaskGroup(of: SimulationReport.self) { group in
            var iterator = seeds.makeIterator()
            var running = 0
            while running < width, let seed = iterator.next() {
                group.addTask { Simulation(seed: seed, options: options).run() }
                running += 1
            }
            while let report = await group.next() {
                onReport?(report)
                reports.append(report)
                if let seed = iterator.next() {
                    group.addTask { Simulation(seed: seed, options: options).run() }
                }
            }
        }
        return reports.sorted { $0.seed < $1.seed }
    }
}
