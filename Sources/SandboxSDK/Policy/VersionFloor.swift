/// The persisted version floor in use: the version stored in its file, raised (and the file
/// rewritten) each time the cache accepts a higher one. A failed write keeps the client going on
/// the floor in memory and is kept for ``SandboxClient/policyVersionFloor()``.
actor VersionFloor {
    let file: VersionFloorFile
    private(set) var stored: UInt64
    private(set) var lastError: String?

    /// `stored`: what `file` holds (``VersionFloorFile/read()``).
    init(file: VersionFloorFile, stored: UInt64) {
        self.file = file
        self.stored = stored
    }

    /// Stores `version` when it is higher than the stored one.
    func raise(to version: UInt64) {
        guard version > stored else { return }
        do {
            try file.store(version)
            stored = version
            lastError = nil
        } catch {
            lastError = "\(error)"
        }
    }
}
