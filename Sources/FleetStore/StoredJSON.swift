import FleetCore
import Foundation

/// How records are written as JSON everywhere fleetroll stores them (database and audit log):
/// sorted keys, so lines diff well and match the old tool's key order.
enum StoredJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}

extension StoredJSON {
    /// Decodes many stored records at once, spread over the cores: a report over thousands of
    /// hosts spends most of its time here.
    static func decodeAll<T: Decodable & Sendable>(_ texts: [String], as type: T.Type) throws -> [T] {
        try parallelMap(texts) { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}

extension StoredJSON {
    /// One record as a line of a JSONL file both tools append to (audit.jsonl, notes.jsonl), in
    /// the Python fleetroll's own layout: sorted keys, `", "` and `": "` between items, and
    /// non-ASCII characters escaped as `\uXXXX`. Lines written by either tool then look alike,
    /// for grep as for a diff of the team's git-tracked notes file.
    static func line<T: Encodable>(_ record: T) throws -> Data {
        var out = pythonLayout(try encoder.encode(record))
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Re-lays compact JSON: a space after every `,` and `:` outside strings, and non-ASCII
    /// characters inside strings as UTF-16 escapes.
    static func pythonLayout(_ compact: Data) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(compact.count + compact.count / 8)
        var inString = false
        var escaped = false
        for scalar in String(decoding: compact, as: UTF8.self).unicodeScalars {
            if inString {
                if scalar.isASCII {
                    out.append(UInt8(scalar.value))
                    if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == "\"" { inString = false }
                } else {
                    for unit in String(scalar).utf16 { out += Array(String(format: "\\u%04x", unit).utf8) }
                }
                continue
            }
            out.append(UInt8(truncatingIfNeeded: scalar.value))
            if scalar == "\"" { inString = true } else if scalar == "," || scalar == ":" { out.append(UInt8(ascii: " ")) }
        }
        return Data(out)
    }
}
