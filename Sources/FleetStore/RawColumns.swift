import FleetCore
import GRDB
import GRDBSQLite

/// Columns of the current row of a stepped statement, read with SQLite's own calls: a report
/// reads hundreds of thousands of cells, and GRDB's `Row` costs more per cell than SQLite does.
struct RawColumns {
    let statement: SQLiteStatement
    let recent = RecentText()

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_NULL }

    /// The text of a column whose values repeat from row to row (roles, SHA-256s, pools, scan
    /// times): a string made for an earlier row is handed out again when the bytes match, so a
    /// fleet on three vault files holds three strings, not one per host.
    func repeated(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, i) else { return nil }
        return recent.text(column: Int(i), UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, i))))
    }

    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, i) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, i))), as: UTF8.self)
    }

    func int(_ i: Int32) -> Int? { isNull(i) ? nil : Int(sqlite3_column_int64(statement, i)) }

    func int64(_ i: Int32) -> Int64? { isNull(i) ? nil : sqlite3_column_int64(statement, i) }

    func bool(_ i: Int32) -> Bool? { isNull(i) ? nil : sqlite3_column_int64(statement, i) != 0 }

    /// Steps `statement` (already bound) and calls `row` for each result row.
    static func each(_ statement: Statement, _ row: (RawColumns) throws -> Void) throws {
        let columns = RawColumns(statement: statement.sqliteStatement)
        defer { sqlite3_reset(statement.sqliteStatement) }
        while true {
            let code = sqlite3_step(statement.sqliteStatement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement))))
            }
            try row(columns)
        }
    }
}

/// The last few strings made for each column of one statement's rows (one thread steps it).
final class RecentText {
    private var slots: [[String]] = []
    static let perColumn = 4

    func text(column: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if column >= slots.count { slots += Array(repeating: [], count: column + 1 - slots.count) }
        for s in slots[column] where s.utf8.count == bytes.count {
            let same = s.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(bytes) } ?? false
            if same { return s }
        }
        let made = String(decoding: bytes, as: UTF8.self)
        if slots[column].count == Self.perColumn { slots[column].removeFirst() }
        slots[column].append(made)
        return made
    }
}

extension StoredObservation {
    /// Facts from the columns selected with `factsSelection`, starting at column `i`.
    static func facts(_ c: RawColumns, from i: Int32) -> ObservationFacts {
        var observed: ObservedState?
        if c.bool(i + 5) == true {
            var o = ObservedState()
            o.osType = c.repeated(i + 6)
            o.uptimeS = c.int(i + 7)
            o.rolePresent = c.bool(i + 8) ?? false
            o.role = c.repeated(i + 9)
            o.overridePresent = c.bool(i + 10) ?? false
            o.overrideSHA256 = c.repeated(i + 11)
            o.vaultPresent = c.bool(i + 12) ?? false
            o.vaultSHA256 = c.repeated(i + 13)
            o.puppet.ts = c.text(i + 14)
            o.puppet.lastRunEpoch = c.int(i + 15)
            o.puppet.success = c.bool(i + 16)
            o.puppet.exitCode = c.int(i + 17)
            o.puppet.gitSHA = c.repeated(i + 18)
            o.puppet.overrideSHA = c.repeated(i + 19)
            o.puppet.vaultSHA = c.repeated(i + 20)
            o.roleKind = c.text(i + 21).flatMap(HostFileKind.init(rawValue:))
            o.overrideKind = c.text(i + 22).flatMap(HostFileKind.init(rawValue:))
            o.puppetStateError = c.text(i + 23)
            observed = o
        }
        return ObservationFacts(id: c.int64(i) ?? 0, ts: c.text(i + 1) ?? "", ok: c.bool(i + 2) ?? false,
                                errorClass: c.text(i + 3).flatMap(ErrorClass.init(rawValue:)), error: c.repeated(i + 4), observed: observed)
    }

    static let factsColumnCount: Int32 = 24
}

extension StoredWorker {
    /// The report's fields of a worker record from the columns selected with `factsSelection`,
    /// starting at column `i`; nil for no record, or a type this version does not know.
    static func facts(_ c: RawColumns, from i: Int32) -> WorkerRecord? {
        guard let host = c.text(i), let kind = c.text(i + 2).flatMap(WorkerRecord.Kind.init(rawValue:)) else { return nil }
        var w = WorkerRecord(type: kind, ts: c.repeated(i + 1) ?? "", host: host, workerId: "")
        w.workerType = c.repeated(i + 3); w.provisioner = c.repeated(i + 4); w.lastDateActive = c.text(i + 5)
        w.quarantineUntil = c.text(i + 6); w.taskStarted = c.repeated(i + 7); w.taskResolved = c.repeated(i + 8)
        w.taskState = c.repeated(i + 9); w.note = c.repeated(i + 10)
        return w
    }
}
