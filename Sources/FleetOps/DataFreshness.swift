import FleetCore
import FleetStore
import Foundation

/// Whether enough hosts had a successful gather recently (`data-freshness`, for cron and CI).
public struct DataFreshness: Sendable, Equatable {
    public enum Status: String, Sendable { case fresh, stale, noData = "no_data" }

    public var status: Status
    public var hostsTotal: Int
    public var hostsWithOK: Int
    public var hostsFresh: Int
    /// One decimal, 0 without hosts.
    public var freshPct: Double
    public var newestOK: Date?
    public var now: Date

    /// Judges `hosts` (every host in the store when nil): a host is fresh when its latest
    /// successful gather is at most `staleAfter` seconds old; fresh overall at `minFreshPct`.
    public static func judge(_ database: FleetDatabase?, hosts: [String]?, staleAfter: Int, minFreshPct: Double,
                             now: Date) async throws -> DataFreshness {
        let history = try await database?.reportData(hosts: hosts).history ?? [:]
        let names = hosts ?? Array(history.keys)
        let okTimes = names.compactMap { history[$0]?.latestOK.flatMap { Timestamp.parse($0.ts) } }
        let fresh = okTimes.filter { max(0, now.timeIntervalSince($0)) <= Double(staleAfter) }.count
        let pct = names.isEmpty ? 0 : (1000 * Double(fresh) / Double(names.count)).rounded() / 10
        let status: Status = names.isEmpty || okTimes.isEmpty ? .noData : (pct < minFreshPct ? .stale : .fresh)
        return DataFreshness(status: status, hostsTotal: names.count, hostsWithOK: okTimes.count, hostsFresh: fresh,
                             freshPct: pct, newestOK: okTimes.max(), now: now)
    }

    /// Seconds since the newest successful gather.
    public var newestAgeS: Int? { newestOK.map { max(0, Int(now.timeIntervalSince($0))) } }
}
