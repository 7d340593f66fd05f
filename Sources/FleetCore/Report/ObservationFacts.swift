/// What the report reads of one stored observation: the input of every cell, without the
/// stored JSON record. The store keeps these as typed columns next to each record, so a report
/// over 10,000 hosts decodes no JSON at all.
public struct ObservationFacts: Sendable, Equatable {
    /// The observation's id in the store (it orders observations).
    public var id: Int64
    public var ts: String
    public var ok: Bool
    public var errorClass: ErrorClass?
    /// A failed gather's error message, else its stderr.
    public var error: String?
    /// The report's fields of what a successful gather observed (`ObservedState.reportFields`).
    public var observed: ObservedState?

    public init(id: Int64, ts: String, ok: Bool, errorClass: ErrorClass?, error: String?, observed: ObservedState?) {
        self.id = id; self.ts = ts; self.ok = ok; self.errorClass = errorClass; self.error = error; self.observed = observed
    }

    /// The facts of a full record, as the store derives them when it stores the record.
    public init(id: Int64, record: HostObservation) {
        self.init(id: id, ts: record.ts, ok: record.ok, errorClass: record.errorClass,
                  error: record.error ?? record.stderr, observed: record.observed?.reportFields)
    }
}

/// A host's latest observation and its latest successful one (the same when the latest is OK).
public struct HostFacts: Sendable, Equatable {
    public var latest: ObservationFacts
    public var latestOK: ObservationFacts?

    public init(latest: ObservationFacts, latestOK: ObservationFacts?) {
        self.latest = latest
        self.latestOK = latestOK
    }

    /// What the row is built from: the latest observation when it succeeded, else the latest
    /// successful one.
    public var base: ObservationFacts? { latest.ok ? latest : latestOK }

    /// Folds in an observation stored after these facts were read.
    public mutating func apply(_ newer: ObservationFacts) {
        latest = newer
        if newer.ok { latestOK = newer }
    }
}

extension ObservedState {
    /// Only the fields the report's cells are built from; the rest (metadata, paths, hostname,
    /// puppet's repo and branch...) is left empty. The store keeps exactly these as columns.
    public var reportFields: ObservedState {
        var o = ObservedState()
        o.osType = osType
        o.uptimeS = uptimeS
        o.rolePresent = rolePresent
        o.role = role
        o.overridePresent = overridePresent
        o.overrideSHA256 = overrideSHA256
        o.vaultPresent = vaultPresent
        o.vaultSHA256 = vaultSHA256
        o.puppet.ts = puppet.ts
        o.puppet.lastRunEpoch = puppet.lastRunEpoch
        o.puppet.success = puppet.success
        o.puppet.exitCode = puppet.exitCode
        o.puppet.gitSHA = puppet.gitSHA
        o.puppet.overrideSHA = puppet.overrideSHA
        o.puppet.vaultSHA = puppet.vaultSHA
        o.roleKind = roleKind
        o.overrideKind = overrideKind
        o.puppetStateError = puppetStateError
        return o
    }
}
