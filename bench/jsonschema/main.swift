// Benchmark: median time per validation of realistic tool-parameter schemas (data/cases.json),
// valid and invalid instances, with the fast verdict (`isValid`) and with every error built
// (`validate(reporting: .all)`). Run in release: bench/jsonschema/run.sh (also runs the peers).
//
// Usage: jsonschema-bench [--json] [--cases FILE] [--quick] [--fixed N] [--verdict-only] [--case NAME]
//        [--instance valid|invalid] [--cpu-time]
import Foundation
import JSON
import JSONSchema

let arguments = CommandLine.arguments
let emitJSON = arguments.contains("--json")
/// `--verdict-only`: measure `isValid` only (for instruction counting).
let verdictOnly = arguments.contains("--verdict-only")
let quick = arguments.contains("--quick")
/// `--cpu-time`: time rounds by this thread's CPU time instead of the wall clock, so that time
/// spent descheduled on a loaded machine is not counted (the peers have the same flag).
let cpuTime = arguments.contains("--cpu-time")
/// `--fixed N`: run every measurement for exactly N calls (no calibration), for instruction
/// counting with `perf stat`, which load on a shared machine does not disturb.
let fixedIterations: Int? = {
    guard let flag = arguments.firstIndex(of: "--fixed"), flag + 1 < arguments.count else { return nil }
    return Int(arguments[flag + 1])
}()
/// `--case NAME`, `--instance valid|invalid`: only that case or instance (for instruction counts).
func option(_ flag: String) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let onlyCase = option("--case")
let onlyInstance = option("--instance")
let casesPath: String = {
    if let flag = arguments.firstIndex(of: "--cases"), flag + 1 < arguments.count { return arguments[flag + 1] }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("data/cases.json").path
}()

/// Nanoseconds on the chosen clock (see `--cpu-time`).
func now() -> Double {
    var spec = timespec()
    clock_gettime(cpuTime ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) * 1e9 + Double(spec.tv_nsec)
}

/// Median nanoseconds per call of `body` over `rounds` rounds of a calibrated number of calls.
func medianNanoseconds(rounds: Int, _ body: () -> Bool) -> Double {
    var iterations = fixedIterations ?? 1
    // Calibrate: about 10 ms per round (bounded).
    while fixedIterations == nil && iterations < 10_000_000 {
        let start = now()
        for _ in 0..<iterations { _ = body() }
        if now() - start > 10e6 { break }
        iterations *= 2
    }
    var samples: [Double] = []
    for _ in 0..<rounds {
        var sink = 0
        let start = now()
        for _ in 0..<iterations where body() { sink &+= 1 }
        let elapsed = now() - start
        if sink < 0 { print(sink) }
        samples.append(elapsed / Double(iterations))
    }
    samples.sort()
    return samples[samples.count / 2]
}

guard let data = FileManager.default.contents(atPath: casesPath),
    case .array(let cases) = try JSONValue(parsing: [UInt8](data))
else {
    FileHandle.standardError.write(Data("jsonschema-bench: cannot read \(casesPath)\n".utf8))
    exit(2)
}

let rounds = fixedIterations != nil ? 1 : (quick ? 3 : 15)
if !emitJSON {
    print("case                 instance  isValid ns  validate(all) ns  errors  compile ns")
}
for testCase in cases {
    let name = testCase["name"]!.stringValue!
    if let onlyCase, onlyCase != name { continue }
    let schema = try CompiledSchema(testCase["schema"]!)
    let compile =
        emitJSON || verdictOnly
        ? 0 : medianNanoseconds(rounds: rounds) { (try? CompiledSchema(testCase["schema"]!)) != nil }
    for kind in ["valid", "invalid"] where testCase[kind] != .null && (onlyInstance ?? kind) == kind {
        let instance = testCase[kind]!
        let report = schema.validate(instance, reporting: .all)
        guard schema.isValid(instance) == (kind == "valid"), report.isValid == (kind == "valid") else {
            FileHandle.standardError.write(Data("jsonschema-bench: \(name) \(kind) gave the wrong verdict\n".utf8))
            exit(1)
        }
        let fast = medianNanoseconds(rounds: rounds) { schema.isValid(instance) }
        let full =
            verdictOnly ? 0 : medianNanoseconds(rounds: rounds) { schema.validate(instance, reporting: .all).isValid }
        if emitJSON {
            print(#"{"impl": "swift", "case": "\#(name)", "instance": "\#(kind)", "ns": \#(fast)}"#)
            print(#"{"impl": "swift-errors", "case": "\#(name)", "instance": "\#(kind)", "ns": \#(full)}"#)
        } else {
            let row = [
                name.padding(toLength: 20, withPad: " ", startingAt: 0),
                kind.padding(toLength: 8, withPad: " ", startingAt: 0),
                String(format: "%10.0f", fast), String(format: "%17.0f", full),
                String(report.errors.count).padding(toLength: 7, withPad: " ", startingAt: 0),
                String(format: "%10.0f", compile),
            ]
            print(row.joined(separator: " "))
        }
    }
}
