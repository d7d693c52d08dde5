// Placeholder: replaced by the crash-test child process (issue #5).
import SandboxStorage
