import Foundation

/// The line protocol between fleetroll's remote scripts and fleetroll: `KEY=value` lines between
/// a start line and an end marker. Binary content travels base64-encoded, so nothing a host
/// holds can forge a key or end the output early.
public enum RemoteProtocol {
    public static let startLine = "FLEETROLL_BEGIN=1"
    public static let endMarker = "__FLEETROLL_END__"
}

/// The raw `KEY=value` fields of one remote run, and whether the run printed its end marker.
public struct RemoteOutput: Equatable, Sendable {
    public var fields: [String: String]
    public var started: Bool
    public var complete: Bool

    /// Reads stdout. Lines that are not `KEY=value` with an upper-case key are ignored (a login
    /// banner or motd may precede the output); for a repeated key the last value wins.
    public static func parse(_ stdout: Data) -> RemoteOutput {
        var fields: [String: String] = [:]
        var started = false
        var complete = false
        for rawLine in stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = String(decoding: rawLine, as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            if line == RemoteProtocol.endMarker { complete = started; continue }
            if line == RemoteProtocol.startLine { started = true; complete = false; fields = [:]; continue }
            guard started, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.utf8.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }) else { continue }
            fields[key] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return RemoteOutput(fields: fields, started: started, complete: complete)
    }
}
