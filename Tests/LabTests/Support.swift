import FleetSSH
import Foundation

let isRoot = getuid() == 0
let needsRoot = "needs root: the lab runs sshd in private mount namespaces (CI runs as root)"

/// The package's built executables: they sit next to the test runner.
enum Binaries {
    static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["FLEETROLL_BIN_DIR"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // On Linux the runner is <bin>/fleetrollPackageTests.xctest; elsewhere it may be a bundle.
        while !FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("fleetroll").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    static var fleetroll: String { directory + "/fleetroll" }
}

struct CommandResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

func runCommand(_ argv: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> CommandResult {
    var args = argv
    if !environment.isEmpty {
        args = ["env"] + environment.map { "\($0.key)=\($0.value)" } + argv
    }
    let out = try ProcessRunner.runBlocking(args, stdin: nil, timeout: timeout)
    return CommandResult(exitCode: out.exitCode, stdout: String(decoding: out.stdout, as: UTF8.self), stderr: out.stderrText)
}

func makeTemporaryDirectory(_ tag: String) throws -> String {
    let path = "/tmp/fleetroll-\(tag)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs a command and keeps its output as the bytes a terminal would receive.
func runRaw(_ argv: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> ProcessOutput {
    let args = environment.isEmpty ? argv : ["env"] + environment.map { "\($0.key)=\($0.value)" } + argv
    return try ProcessRunner.runBlocking(args, stdin: nil, timeout: timeout)
}

/// The first byte a terminal would act on (ESC, BEL, CR, any other C0 but newline and tab, DEL,
/// or a UTF-8 C1 control), as "offset: byte", or nil when there is none.
func terminalControl(_ data: Data) -> String? {
    let bytes = [UInt8](data)
    for (i, b) in bytes.enumerated() {
        if (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F { return "\(i): \(b)" }
        if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) { return "\(i): C1 \(bytes[i + 1])" }
    }
    return nil
}

extension ProcessOutput {
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}
