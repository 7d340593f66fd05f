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
