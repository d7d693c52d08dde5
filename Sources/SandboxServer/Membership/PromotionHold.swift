import Foundation

/// A test-only hook that holds a new voter at the learner stage, so that process tests can stop
/// a joining pod at that stage deterministically (StatefulSetTests): while the file that
/// `SANDBOX_TEST_HOLD_PROMOTION` names exists, a leader adding a voter adds it as a learner and
/// answers the catch-up timeout's 504 at once instead of promoting it (the joiner retries, as
/// after a real timeout). Read from the process environment once, not from the configuration:
/// it is no setting of the product, a node started with it logs a warning saying so, and a
/// release build refuses to start with it (the tests run a debug build).
enum PromotionHold {
    static let variable = "SANDBOX_TEST_HOLD_PROMOTION"

    /// The file whose existence holds promotions in this process, if the variable is set.
    static let file: String? = try? configured(ProcessInfo.processInfo.environment)

    static func configured(_ environment: [String: String]) throws(ConfigError) -> String? {
        guard let path = environment[variable], !path.isEmpty else { return nil }
        #if DEBUG
            return path
        #else
            throw .invalid(variable, "a test hook, absent from release builds: unset it")
        #endif
    }

    /// Whether promotions are held now.
    static var holds: Bool {
        guard let file else { return false }
        return FileManager.default.fileExists(atPath: file)
    }
}
