import Foundation

/// fleetroll's JSON, in one place: records are stored and printed with sorted keys and
/// unescaped slashes (the old tool's key order; lines diff well), compact when stored or
/// streamed one per line, indented when a command prints one document.
public enum JSONFormat {
    public static let compact: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static let pretty: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static func compactString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try compact.encode(value), as: UTF8.self)
    }

    public static func prettyString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try pretty.encode(value), as: UTF8.self)
    }
}

/// Writes compact JSON into a byte buffer by hand, for output too large for `JSONEncoder` to be
/// quick (a report of 10,000 hosts), and splices JSON that is already text (stored records).
/// Keys are written in the order given: callers give them sorted, like `JSONFormat`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    var needsComma: [Bool] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separate(); bytes.append(0x7B); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(0x7D) }
    public mutating func beginArray() { separate(); bytes.append(0x5B); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(0x5D) }

    /// A key inside an object; the value written next belongs to it.
    public mutating func key(_ k: String) {
        separate()
        string(k)
        bytes.append(0x3A)
        pendingValue = true
    }

    /// A key was just written: the value that follows takes no comma of its own.
    var pendingValue = false

    mutating func separate() {
        if pendingValue { pendingValue = false; return }
        if let last = needsComma.last {
            if last { bytes.append(0x2C) }
            needsComma[needsComma.count - 1] = true
        }
    }

    public mutating func value(_ s: String?) {
        guard let s else { return null() }
        separate()
        string(s)
    }

    public mutating func value(_ n: Int?) {
        guard let n else { return null() }
        separate()
        bytes.append(contentsOf: String(n).utf8)
    }

    public mutating func value(_ b: Bool?) {
        guard let b else { return null() }
        separate()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }

    public mutating func value(_ list: [String]) {
        beginArray()
        for s in list { value(s) }
        endArray()
    }

    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }

    /// JSON that is already text (a stored record); nil writes `null`.
    public mutating func raw(_ json: String?) {
        guard let json, !json.isEmpty else { return null() }
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    /// A newline between top-level values (JSON lines, or one array element per line).
    public mutating func newline() { bytes.append(0x0A) }

    mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x08: bytes.append(0x5C); bytes.append(0x62)
            case 0x0C: bytes.append(0x5C); bytes.append(0x66)
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(Self.hex[Int(b >> 4)])
                bytes.append(Self.hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    static let hex = Array("0123456789abcdef".utf8)
}
