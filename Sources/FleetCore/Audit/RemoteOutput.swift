import Foundation

/// The line protocol between fleetroll's remote scripts and fleetroll: `KEY=value` lines between
/// a start line and an end marker. Binary content travels base64-encoded, and so does any value
/// that holds a line break (`KEY~=<base64>`), so nothing a host holds, not even a host name with
/// newlines in it, can forge a key or end the output early.
public enum RemoteProtocol {
    public static let startLine = "FLEETROLL_BEGIN=1"
    public static let endMarker = "__FLEETROLL_END__"
    /// Ends the key of a line whose value is base64 (`emit` uses it for values with line breaks).
    public static let encodedKeySuffix: Character = "~"
}

/// The raw `KEY=value` fields of one remote run, and whether the run printed its end marker.
public struct RemoteOutput: Equatable, Sendable {
    public var fields: [String: String]
    public var started: Bool
    public var complete: Bool
    /// Keys whose value was longer than `HostLimits.valueLimit(forKey:)`: their values are dropped.
    public var oversized: Set<String> = []

    public init(fields: [String: String], started: Bool, complete: Bool, oversized: Set<String> = []) {
        self.fields = fields; self.started = started; self.complete = complete; self.oversized = oversized
    }

    /// Reads stdout. Lines that are not `KEY=value` with an upper-case key are ignored (a login
    /// banner or motd may precede the output); for a repeated key the last value wins.
    public static func parse(_ stdout: Data) -> RemoteOutput {
        var out = RemoteOutput(fields: [:], started: false, complete: false)
        for rawLine in stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = rawLine[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.elementsEqual(RemoteProtocol.endMarker.utf8) { out.complete = out.started; continue }
            if line.elementsEqual(RemoteProtocol.startLine.utf8) {
                out = RemoteOutput(fields: [:], started: true, complete: false)
                continue
            }
            guard out.started, let eq = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            var keyBytes = line[..<eq]
            let encoded = keyBytes.last == UInt8(ascii: "~")
            if encoded { keyBytes = keyBytes.dropLast() }
            guard !keyBytes.isEmpty, keyBytes.count <= 64,
                  keyBytes.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }) else { continue }
            let key = String(decoding: keyBytes, as: UTF8.self)
            let raw = line[line.index(after: eq)...]
            let limit = HostLimits.valueLimit(forKey: key)
            // The length is checked on the bytes, before any string is made of them.
            guard raw.count <= (encoded ? HostLimits.base64Length(limit) : limit) + 2 else {
                out.oversized.insert(key)
                out.fields[key] = nil
                continue
            }
            var value = String(decoding: raw, as: UTF8.self)
            if encoded {
                guard let data = Data(base64Encoded: value.trimmingCharacters(in: .whitespaces)) else { continue }
                value = String(decoding: data, as: UTF8.self)
            }
            out.fields[key] = value.trimmingCharacters(in: .whitespaces)
            out.oversized.remove(key)
        }
        return out
    }
}
