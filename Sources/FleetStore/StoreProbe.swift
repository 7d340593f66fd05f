import Foundation
import GRDB

extension FleetDatabase {
    /// Opens the store file afresh, read-only, and reads its summary table: what a new reader
    /// meets now (an open pool can keep reading a file that was removed or overwritten). Throws
    /// when the file is missing, not a database, or not this store.
    public static func probe(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ProbeError(message: "no store at \(path)") }
        var config = configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM host_summary") }
        try queue.close()
    }

    public struct ProbeError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
