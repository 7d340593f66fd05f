/// A Taskcluster worker pool: `provisioner/workerType`.
public struct WorkerPool: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public var provisioner: String
    public var workerType: String

    public init(provisioner: String, workerType: String) {
        self.provisioner = provisioner
        self.workerType = workerType
    }

    /// Parses `provisioner/workerType`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } })
        else { return nil }
        self.init(provisioner: String(parts[0]), workerType: String(parts[1]))
    }

    public var description: String { "\(provisioner)/\(workerType)" }

    public static func < (a: WorkerPool, b: WorkerPool) -> Bool { a.description < b.description }
}

/// Which worker pool a puppet role's hosts work in.
///
/// The built-in table is the old tool's; `[taskcluster.pools]` in the config file adds or
/// replaces entries, so a new pool needs no release. macOS roles use their role name with `_`
/// turned into `-`; Windows roles (`win116424h2hwref`) are the worker-type names of the
/// provisioner with the dashes removed.
public struct PoolTable: Sendable, Equatable {
    public static let defaultProvisioner = "releng-hardware"

    public private(set) var entries: [String: WorkerPool]

    public init(entries: [String: WorkerPool]) { self.entries = entries }

    public static let builtIn: PoolTable = {
        var e: [String: WorkerPool] = [:]
        for (role, wt) in [
            ("gecko_t_linux_talos", "gecko-t-linux-talos-1804"), ("gecko_t_linux_2404_talos", "gecko-t-linux-talos-2404"),
            ("gecko_t_linux_netperf", "gecko-t-linux-netperf-1804"), ("gecko_t_linux_2404_netperf", "gecko-t-linux-netperf-2404"),
        ] {
            e[role] = WorkerPool(provisioner: defaultProvisioner, workerType: wt)
        }
        for role in macRoles {
            e[role] = WorkerPool(provisioner: defaultProvisioner, workerType: role.replacingOccurrences(of: "_", with: "-"))
        }
        return PoolTable(entries: e)
    }()

    static let macRoles = [
        "gecko_t_osx_1400_r8", "gecko_t_osx_1500_m4", "gecko_t_osx_1015_r8", "gecko_1_b_osx_1015", "gecko_t_osx_1015_r8_staging",
        "applicationservices_1_b_osx_1015", "mozillavpn_b_1_osx", "nss_3_b_osx_1015", "mozillavpn_b_3_osx", "gecko_3_b_osx_1015",
        "gecko_t_osx_1400_r8_staging", "gecko_1_b_osx_1015_staging", "gecko_t_osx_1500_m4_staging", "enterprise_1_b_osx_arm64",
        "gecko_3_b_osx_arm64", "nss_1_b_osx_1015", "enterprise_3_b_osx_arm64", "applicationservices_3_b_osx_1015", "gecko_1_b_osx_arm64",
    ]

    /// The table with the config file's entries on top.
    public func merging(_ overrides: [String: WorkerPool]) -> PoolTable {
        PoolTable(entries: entries.merging(overrides) { _, new in new })
    }

    /// Adds Windows roles from the provisioner's worker types (`win11-64-24h2-hw-ref` is the pool
    /// of role `win116424h2hwref`). Entries already present (from the config) win.
    public mutating func addWindowsWorkerTypes(_ names: [String], provisioner: String = defaultProvisioner) {
        for name in names where name.hasPrefix("win") {
            let role = name.replacingOccurrences(of: "-", with: "")
            if entries[role] == nil { entries[role] = WorkerPool(provisioner: provisioner, workerType: name) }
        }
    }

    public static func isWindowsStyleRole(_ role: String) -> Bool { role.hasPrefix("win") && !role.contains("_") }

    /// The pool a host works in: its override's `WORKER_TYPE_OVERRIDE` if it has one (with the
    /// role's provisioner), else its role's pool.
    public func resolve(role: String?, workerTypeOverride: String?) -> PoolResolution {
        let rolePool = role.flatMap { entries[$0] }
        if let wt = workerTypeOverride, !wt.isEmpty {
            return .pool(WorkerPool(provisioner: rolePool?.provisioner ?? Self.defaultProvisioner, workerType: wt), viaOverride: true)
        }
        guard let role, !role.isEmpty else { return .unknown("no role known for this host (gather-host it first)") }
        guard let pool = rolePool else { return .unknown("role '\(role)' has no worker pool (add it to [taskcluster.pools])") }
        return .pool(pool, viaOverride: false)
    }
}

public enum PoolResolution: Equatable, Sendable {
    case pool(WorkerPool, viaOverride: Bool)
    case unknown(String)
}
