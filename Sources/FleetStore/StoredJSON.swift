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
