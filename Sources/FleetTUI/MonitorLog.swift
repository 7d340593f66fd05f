import FleetCore
import Foundation

/// While the live view owns the terminal, standard error goes to `<state>/monitor.log`, so
/// messages from anywhere (ours or a library's) land in the file instead of on the screen.
/// `close` puts standard error back.
final class MonitorLog {
    private var saved: Int32 = -1

    init(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        saved = dup(2)
        dup2(fd, 2)
        Foundation.close(fd)
    }

    func info(_ message: String) { write("INFO", message) }
    func error(_ message: String) { write("ERROR", message) }

    private func write(_ level: String, _ message: String) {
        let line = "\(Timestamp.iso(Date())) \(level) fleetroll.monitor: \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func close() {
        guard saved >= 0 else { return }
        dup2(saved, 2)
        Foundation.close(saved)
        saved = -1
    }
}
