import FleetReport

/// What the pages need from outside the read model, handed in by the command (which may read
/// the store, the audit log and the state directory; this module reads nothing itself).
public struct WebServices: Sendable {
    /// The named filters offered: `<state>/filters` and the shipped ones.
    public var filters: @Sendable () -> [NamedFilter]
    /// The audit log's lines about a host as JSON objects, oldest first, at most `limit` (the newest).
    public var auditLines: @Sendable (_ host: String, _ limit: Int) -> [String]
    /// Throws when the store cannot be read now (`/api/health` says 503).
    public var checkStore: @Sendable () throws -> Void
    /// Files over their size limit, as `audit: 134M` (run `fleetroll maintain`).
    public var logSizeWarnings: @Sendable () -> [String]

    public init(filters: @escaping @Sendable () -> [NamedFilter], auditLines: @escaping @Sendable (String, Int) -> [String],
                checkStore: @escaping @Sendable () throws -> Void, logSizeWarnings: @escaping @Sendable () -> [String]) {
        self.filters = filters
        self.auditLines = auditLines
        self.checkStore = checkStore
        self.logSizeWarnings = logSizeWarnings
    }
}
