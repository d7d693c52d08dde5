// Policy-evaluation benchmark: time per decision (median and p99) for the four decisions of
// issue #3, on the demo policy plus a 3-field parameter schema. Run through bench/policy/run.sh,
// which also runs the Cedar peer (cedarpy) on the same decisions and prints the ratios.
//
// Method: each sample times a batch of `batch` identical decisions and divides; the median and
// the 99th percentile are taken over the samples (single decisions are too short for the clock).
import Foundation
import JSON
import JSONSchema
import NetworkAddress
import SandboxPolicy

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let json = arguments.contains("--json")
let withTrace = !arguments.contains("--no-trace")
let samples = quick ? 300 : 3000
let batch = 64

let policyText = """
    agent: "sales_assistant"
    tools:
      allow: ["crm.read", "email.draft", "email.send"]
      deny: ["payments.*", "prod_db.write"]
      approvals:
        - tool: "email.send"
          condition: "recipient not endswith('@company.com')"
          require: "human"
      schemas:
        email.send:
          type: object
          required: [recipient, subject, body]
          additionalProperties: false
          properties:
            recipient: {type: string, maxLength: 254}
            subject: {type: string, maxLength: 200}
            body: {type: string}
    network:
      deny_all_others: true
      allow_domains: ["api.company.com", "outlook.office365.com"]
    budgets:
      max_requests_per_day: 3000
      max_usd_per_day: 25
      max_chain_depth: 4
    """

struct Case {
    let name: String
    let request: PolicyRequest
    let expected: Decision.Outcome
}

let cases = [
    Case(
        name: "denied-tool",
        request: .toolCall(ToolCall(tool: "payments.charge", parameters: ["amount": 100, "currency": "USD"])),
        expected: .deny),
    Case(
        name: "allowed-tool-schema",
        request: .toolCall(
            ToolCall(
                tool: "email.send",
                parameters: ["recipient": "colleague@company.com", "subject": "Quote", "body": "Hello"])),
        expected: .allow),
    Case(
        name: "approval-condition",
        request: .toolCall(
            ToolCall(
                tool: "email.send", parameters: ["recipient": "user@gmail.com", "subject": "Quote", "body": "Hello"])),
        expected: .needsApproval),
    Case(
        name: "http-allowlist",
        request: .http(HTTPRequest(method: "GET", url: "https://api.company.com/customers?limit=5")),
        expected: .allow),
]

func nanoseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
}

/// Times `body` in batches; returns (median, p99) nanoseconds per call.
func measure(_ body: () -> Int) -> (Double, Double) {
    var sink = 0
    for _ in 0..<(batch * 50) { sink &+= body() }
    let clock = ContinuousClock()
    var perCall: [Double] = []
    perCall.reserveCapacity(samples)
    for _ in 0..<samples {
        let start = clock.now
        for _ in 0..<batch { sink &+= body() }
        perCall.append(nanoseconds(clock.now - start) / Double(batch))
    }
    if sink == 42 { print("") }  // keeps the work observable
    perCall.sort()
    return (perCall[perCall.count / 2], perCall[min(perCall.count - 1, perCall.count * 99 / 100)])
}

let policy: CompiledPolicy
do {
    policy = try CompiledPolicy(yaml: policyText)
} catch {
    print("bench policy does not compile: \(error)")
    exit(1)
}

// Components of the decisions above, for finding where the time goes (--components).
if arguments.contains("--components") {
    let parameters: JSONValue = ["recipient": "user@gmail.com", "subject": "Quote", "body": "Hello"]
    let condition = try! Condition("recipient not endswith('@company.com')")
    let context = ConditionContext(parameters: parameters, tool: "email.send")
    let schema = try! CompiledSchema(
        [
            "type": "object", "required": ["recipient", "subject", "body"], "additionalProperties": false,
            "properties": [
                "recipient": ["type": "string", "maxLength": 254], "subject": ["type": "string", "maxLength": 200],
                "body": ["type": "string"],
            ],
        ])
    let glob = GlobPattern("payments.*")
    let redactor = Redactor(classes: RedactionClass.allCases)
    let components: [(String, () -> Int)] = [
        ("condition", { condition.evaluate(context) == .true ? 1 : 0 }),
        ("schema.isValid", { schema.isValid(parameters) ? 1 : 0 }),
        ("url-parse", { (try? StrictURL("https://api.company.com/customers?limit=5"))?.port ?? 0 }),
        ("glob payments.*", { glob.matches("payments.charge") ? 1 : 0 }),
        ("redact 3 fields", { redactor.redact(parameters) == parameters ? 0 : 1 }),
    ]
    for (name, body) in components {
        let (median, p99) = measure(body)
        print(
            "\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%9.0f %9.0f", median, p99))")
    }
}

if !json {
    print("policy-bench: \(samples) samples x \(batch) decisions each; ns per decision")
    print("case                        median       p99   decision")
}
let only = arguments.firstIndex(of: "--case").map { arguments[$0 + 1] }
for benchCase in cases where only == nil || benchCase.name == only {
    let decision = policy.evaluate(benchCase.request)
    guard decision.outcome == benchCase.expected else {
        print("\(benchCase.name): expected \(benchCase.expected), got \(decision.outcome): \(decision.explanation)")
        exit(1)
    }
    let request = benchCase.request
    let (median, p99) = measure { policy.evaluate(request).rule.utf8.count }
    let (traceMedian, traceP99) = withTrace ? measure { policy.trace(request).steps.count } : (0, 0)
    if json {
        print(#"{"case": "\#(benchCase.name)", "impl": "swift", "median_ns": \#(median), "p99_ns": \#(p99)}"#)
        print(
            #"{"case": "\#(benchCase.name)", "impl": "swift+trace", "median_ns": \#(traceMedian), "p99_ns": \#(traceP99)}"#
        )
    } else {
        let label = benchCase.name.padding(toLength: 24, withPad: " ", startingAt: 0)
        print("\(label) \(String(format: "%9.0f %9.0f", median, p99))   \(decision.outcome.rawValue)")
        let traced = (benchCase.name + " +trace").padding(toLength: 24, withPad: " ", startingAt: 0)
        print("\(traced) \(String(format: "%9.0f %9.0f", traceMedian, traceP99))")
    }
}
