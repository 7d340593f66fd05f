import GRDB

/// How long history is kept: the newest rows of each partition (a host's observations, a
/// branch's heads...), and for observations the newest successful one on top, so a host that
/// has been failing for a while still shows its last known state. One rule for every table.
enum Retention {
    /// Deletes all but the newest `keep` rows of each partition of `table` (rows with equal
    /// `partition` columns); only the partition whose columns equal `values`, when given.
    /// Returns how many rows went.
    @discardableResult
    static func prune(_ db: Database, table: String, partition: [String], keep: Int,
                      values: [any DatabaseValueConvertible]? = nil, keepNewestOK: Bool = false) throws -> Int {
        let by = partition.joined(separator: ", ")
        let scope = values == nil ? "" : "WHERE " + partition.map { "\($0) = ?" }.joined(separator: " AND ")
        let lastOK = keepNewestOK ? ", MAX(CASE WHEN ok THEN id END) OVER (PARTITION BY \(by)) AS last_ok" : ", NULL AS last_ok"
        try db.execute(sql: """
            DELETE FROM \(table) WHERE id IN (
              SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY \(by) ORDER BY id DESC) AS age\(lastOK)
                FROM \(table) \(scope))
              WHERE age > ? AND id IS NOT last_ok)
            """, arguments: StatementArguments((values ?? []) + [keep]))
        return db.changesCount
    }

    /// Deletes the rows of `table` whose `time` (an SQL expression of epoch seconds) is before
    /// `epoch`: tables kept for a time rather than a number of rows. Returns how many went.
    @discardableResult
    static func pruneOlder(_ db: Database, table: String, time: String, before epoch: Int) throws -> Int {
        try db.execute(sql: "DELETE FROM \(table) WHERE \(time) < ?", arguments: [epoch])
        return db.changesCount
    }
}
