/// Whether validation collects every error or stops at the first.
public enum ErrorReporting: Sendable {
    case first
    case all
}
