import Foundation
import Logging

/// `--exit-with-parent PID`: a thread that checks every 200 ms that the process is still
/// there and ends this one at once when it is not (as a crash would: the store recovers on the
/// next start), so that a test harness or script that dies leaves no node behind. When PID is
/// this process's parent, being re-parented also counts as gone (a dead parent not yet reaped
/// still answers `kill(pid, 0)`).
enum ParentWatch {
    static func start(pid: Int32, logger: Logger) {
        let watchesParent = getppid() == pid
        let thread = Thread {
            while true {
                let gone = (kill(pid, 0) != 0 && errno == ESRCH) || (watchesParent && getppid() != pid)
                if gone {
                    logger.warning("the watched process is gone; exiting", metadata: ["pid": "\(pid)"])
                    _exit(3)
                }
                usleep(200_000)
            }
        }
        thread.name = "parent-watch"
        thread.start()
    }
}
