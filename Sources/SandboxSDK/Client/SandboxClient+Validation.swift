import Foundation
import JSON

extension SandboxClient {
    /// A call the client refuses before asking any node (rule `sdk.invalid_request`): asking
    /// could not succeed, or would decide something other than what the agent asked.
    static func invalidRequest(_ requestID: String, _ reason: String) -> Decision {
        Decision(
            outcome: .deny, reason: "invalid request: \(reason)", rule: "sdk.invalid_request", requestID: requestID,
            source: .refused)
    }

    /// Why `requestID` cannot be sent as an `Idempotency-Key` header (1 to 128 bytes of visible
    /// ASCII), or nil when it can.
    static func requestIDProblem(_ requestID: String) -> String? {
        guard (1...128).contains(requestID.utf8.count), requestID.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return "the request id must be 1 to 128 visible ASCII characters (no spaces or control characters)" }
        return nil
    }

    /// The cost as the wire's JSON number, or why it cannot be sent: a cost that is not a
    /// finite, non-negative number is refused rather than left out (which would skip the USD
    /// budget).
    static func costNumber(_ costUSD: Decimal?) -> Result<JSONNumber?, CostProblem> {
        guard let costUSD else { return .success(nil) }
        guard !costUSD.isNaN, costUSD.isFinite, costUSD >= 0, let number = JSONNumber(literal: "\(costUSD)") else {
            return .failure(CostProblem(text: "costUSD must be a finite number of at least 0, not \(costUSD)"))
        }
        return .success(number)
    }

    struct CostProblem: Error {
        let text: String
    }
}
