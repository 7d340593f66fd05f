import Foundation

/// The health gates an advance must pass, with the thresholds in force.
///
/// Defaults, and why: a stage's hosts must all have run puppet with the override
/// (`applied_min_pct` 100), be HEALTHY Y (100) and answer ssh (100); 90% of them must be online
/// in Taskcluster (a worker or two between tasks or rebooting is normal); every host must have
/// taken at least one task since its stage was applied (`min_jobs_per_host` 1) with at least
/// 90% of those tasks succeeding (`tc_success_rate_min` 0.9); and the stage must have soaked
/// for 30 minutes. A threshold of 0 turns a gate off, which the gate's result then says.
public struct GateConfig: Codable, Sendable, Equatable {
    public var appliedMinPct: Double = 100
    public var healthyMinPct: Double = 100
    public var sshableMinPct: Double = 100
    public var tcOnlineMinPct: Double = 90
    public var minJobsPerHost: Double = 1
    public var tcSuccessRateMin: Double = 0.9
    public var minSoakMinutes: Double = 30

    public init() {}

    public static let defaults = GateConfig()

    public subscript(_ key: GateKey) -> Double {
        get {
            switch key {
            case .appliedMinPct: return appliedMinPct
            case .healthyMinPct: return healthyMinPct
            case .sshableMinPct: return sshableMinPct
            case .tcOnlineMinPct: return tcOnlineMinPct
            case .minJobsPerHost: return minJobsPerHost
            case .tcSuccessRateMin: return tcSuccessRateMin
            case .minSoakMinutes: return minSoakMinutes
            }
        }
        set {
            switch key {
            case .appliedMinPct: appliedMinPct = newValue
            case .healthyMinPct: healthyMinPct = newValue
            case .sshableMinPct: sshableMinPct = newValue
            case .tcOnlineMinPct: tcOnlineMinPct = newValue
            case .minJobsPerHost: minJobsPerHost = newValue
            case .tcSuccessRateMin: tcSuccessRateMin = newValue
            case .minSoakMinutes: minSoakMinutes = newValue
            }
        }
    }

    /// The configuration after `KEY=VALUE` assignments (`--gate`), over `base`.
    public static func parse(_ assignments: [String], over base: GateConfig = .defaults) throws(GateConfigError) -> GateConfig {
        var config = base
        for text in assignments {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw .notAnAssignment(text) }
            let name = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard let key = GateKey(rawValue: name) else { throw .unknownKey(parts[0]) }
            guard let value = Double(parts[1].trimmingCharacters(in: .whitespaces)), value.isFinite, key.range.contains(value) else {
                throw .badValue(key, parts[1])
            }
            if key == .minJobsPerHost, value != value.rounded() { throw .badValue(key, parts[1]) }
            config[key] = value
        }
        return config
    }

    /// `key=value` for every gate, in the gates' order (for messages and dry runs).
    public var summary: String {
        GateKey.allCases.map { "\($0.rawValue)=\(GateResult.format(self[$0]))" }.joined(separator: " ")
    }

    enum CodingKeys: String, CodingKey {
        case appliedMinPct = "applied_min_pct", healthyMinPct = "healthy_min_pct", sshableMinPct = "sshable_min_pct"
        case tcOnlineMinPct = "tc_online_min_pct", minJobsPerHost = "min_jobs_per_host"
        case tcSuccessRateMin = "tc_success_rate_min", minSoakMinutes = "min_soak_minutes"
    }
}

public enum GateKey: String, Codable, Sendable, CaseIterable {
    case appliedMinPct = "applied_min_pct"
    case healthyMinPct = "healthy_min_pct"
    case sshableMinPct = "sshable_min_pct"
    case tcOnlineMinPct = "tc_online_min_pct"
    case minJobsPerHost = "min_jobs_per_host"
    case tcSuccessRateMin = "tc_success_rate_min"
    case minSoakMinutes = "min_soak_minutes"

    /// The values a threshold may take.
    public var range: ClosedRange<Double> {
        switch self {
        case .appliedMinPct, .healthyMinPct, .sshableMinPct, .tcOnlineMinPct: return 0...100
        case .tcSuccessRateMin: return 0...1
        case .minJobsPerHost: return 0...1_000_000
        case .minSoakMinutes: return 0...(60 * 24 * 365)
        }
    }

    var rangeWords: String {
        switch self {
        case .appliedMinPct, .healthyMinPct, .sshableMinPct, .tcOnlineMinPct: return "a percentage from 0 to 100"
        case .tcSuccessRateMin: return "a fraction from 0 to 1"
        case .minJobsPerHost: return "a whole number of tasks, 0 or more"
        case .minSoakMinutes: return "a number of minutes, 0 or more"
        }
    }
}

public enum GateConfigError: Error, Equatable, CustomStringConvertible {
    case notAnAssignment(String)
    case unknownKey(String)
    case badValue(GateKey, String)

    public var description: String {
        switch self {
        case .notAnAssignment(let t): return "--gate takes KEY=VALUE, got '\(t)'"
        case .unknownKey(let k):
            return "--gate: unknown gate '\(k)'; the gates are " + GateKey.allCases.map(\.rawValue).joined(separator: ", ")
        case .badValue(let k, let v): return "--gate \(k.rawValue): '\(v)' is not \(k.rangeWords)"
        }
    }
}

/// What the gates read of one host: each value as the latest gather and Taskcluster record
/// know it (nil: unknown).
public struct GateHostFacts: Sendable, Equatable {
    public var host: String
    /// The latest gather reached the host.
    public var sshable: Bool?
    /// APPLIED: puppet ran with exactly the files the host has now.
    public var applied: Bool?
    public var healthy: Bool?
    /// Taskcluster has the worker, active within the hour and not quarantined.
    public var tcOnline: Bool?
    /// The last puppet run failed, and when that run was.
    public var puppetFailed: Bool?
    public var puppetRunAt: Date?
    /// Tasks the worker took since its stage was applied, and how many of them succeeded
    /// (nil: no task history for the host).
    public var jobs: Int?
    public var succeeded: Int?
    /// Of those, the ones that ended (succeeded, failed or exception); nil: as many as `jobs`.
    public var finished: Int?

    public init(host: String, sshable: Bool? = nil, applied: Bool? = nil, healthy: Bool? = nil, tcOnline: Bool? = nil,
                puppetFailed: Bool? = nil, puppetRunAt: Date? = nil, jobs: Int? = nil, succeeded: Int? = nil) {
        self.host = host; self.sshable = sshable; self.applied = applied; self.healthy = healthy; self.tcOnline = tcOnline
        self.puppetFailed = puppetFailed; self.puppetRunAt = puppetRunAt; self.jobs = jobs; self.succeeded = succeeded
    }
}

/// Everything the gates are judged from.
public struct GateInput: Sendable, Equatable {
    /// The current stage's hosts.
    public var stage: [GateHostFacts]
    /// Every host the rollout has applied so far (the current stage's included).
    public var applied: [GateHostFacts]
    /// When the current stage was applied (nil: not yet).
    public var stageAppliedAt: Date?
    public var now: Date

    public init(stage: [GateHostFacts], applied: [GateHostFacts], stageAppliedAt: Date?, now: Date) {
        self.stage = stage; self.applied = applied; self.stageAppliedAt = stageAppliedAt; self.now = now
    }
}

/// One gate's verdict.
public struct GateResult: Codable, Sendable, Equatable {
    public var key: String
    /// What was measured (nil: nothing could be, the explanation says why).
    public var value: Double?
    public var threshold: Double
    public var passed: Bool
    public var explanation: String

    public init(key: GateKey, value: Double?, threshold: Double, passed: Bool, explanation: String) {
        self.key = key.rawValue; self.value = value; self.threshold = threshold; self.passed = passed; self.explanation = explanation
    }

    /// `applied_min_pct 50 < 100: 1 of 2 stage hosts APPLIED Y`.
    public var line: String {
        if threshold == 0 && value == nil { return "\(key) off: \(explanation)" }
        let shown = value.map(Self.format) ?? "no value"
        return "\(key) \(shown) \(passed ? ">=" : "<") \(Self.format(threshold)): \(explanation)"
    }

    /// A number without a useless fraction: 100, 0.9, 66.7.
    public static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }
}

/// Gate evaluation: pure, over the facts handed in. A gate with no data to judge from fails and
/// says so; it never passes for lack of data (only a threshold of 0 turns a gate off).
public enum Gates {
    public static func evaluate(_ config: GateConfig, _ input: GateInput) -> [GateResult] {
        GateKey.allCases.map { evaluate($0, threshold: config[$0], input) }
    }

    public static func evaluate(_ key: GateKey, threshold: Double, _ input: GateInput) -> GateResult {
        if threshold == 0 { return GateResult(key: key, value: nil, threshold: 0, passed: true, explanation: "not required (threshold 0)") }
        switch key {
        case .appliedMinPct: return percentage(key, threshold, input, \.applied, "APPLIED Y")
        case .healthyMinPct: return percentage(key, threshold, input, \.healthy, "HEALTHY Y")
        case .sshableMinPct: return percentage(key, threshold, input, \.sshable, "reachable over ssh")
        case .tcOnlineMinPct:
            if input.applied.allSatisfy({ $0.tcOnline == nil }) && input.stage.allSatisfy({ $0.tcOnline == nil }) {
                return GateResult(key: key, value: nil, threshold: threshold, passed: false,
                                  explanation: "no Taskcluster data for any host (run gather-tc, or status without --no-refresh)")
            }
            return percentage(key, threshold, input, \.tcOnline, "online in Taskcluster")
        case .minJobsPerHost: return jobs(threshold, input)
        case .tcSuccessRateMin: return successRate(threshold, input)
        case .minSoakMinutes:
            guard let at = input.stageAppliedAt else {
                return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "the stage is not applied yet")
            }
            let minutes = (max(0, input.now.timeIntervalSince(at)) / 60 * 10).rounded(.down) / 10
            return GateResult(key: key, value: minutes, threshold: threshold, passed: minutes >= threshold,
                              explanation: "the stage was applied \(GateResult.format(minutes)) minute(s) ago")
        }
    }

    /// The share of hosts for which `fact` is true, over the stage and over every applied host;
    /// the lower one counts. Unknown counts as not true, and is named.
    static func percentage(_ key: GateKey, _ threshold: Double, _ input: GateInput, _ fact: KeyPath<GateHostFacts, Bool?>,
                           _ words: String) -> GateResult {
        guard !input.stage.isEmpty else {
            return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "no stage hosts to judge")
        }
        func share(_ hosts: [GateHostFacts]) -> (pct: Double, yes: Int, unknown: [String], no: [String]) {
            let yes = hosts.filter { $0[keyPath: fact] == true }.count
            let unknown = hosts.filter { $0[keyPath: fact] == nil }.map(\.host)
            let no = hosts.filter { $0[keyPath: fact] == false }.map(\.host)
            return (hosts.isEmpty ? 100 : (Double(yes) * 1000 / Double(hosts.count)).rounded() / 10, yes, unknown, no)
        }
        let stage = share(input.stage)
        let all = share(input.applied.isEmpty ? input.stage : input.applied)
        let value = min(stage.pct, all.pct)
        var text = "\(stage.yes) of \(input.stage.count) stage host(s) \(words)"
        if !input.applied.isEmpty { text += ", \(all.yes) of \(input.applied.count) applied host(s)" }
        let no = Array(Set(stage.no + all.no)).sorted(), unknown = Array(Set(stage.unknown + all.unknown)).sorted()
        if !no.isEmpty { text += "; not: " + names(no) }
        if !unknown.isEmpty { text += "; unknown: " + names(unknown) }
        return GateResult(key: key, value: value, threshold: threshold, passed: value >= threshold, explanation: text)
    }

    static func jobs(_ threshold: Double, _ input: GateInput) -> GateResult {
        let key = GateKey.minJobsPerHost
        guard !input.stage.isEmpty else { return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "no stage hosts to judge") }
        let missing = input.stage.filter { $0.jobs == nil }.map(\.host)
        if missing.count == input.stage.count {
            return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "no task history for any stage host")
        }
        let fewest = input.stage.compactMap(\.jobs).min() ?? 0
        let short = input.stage.filter { ($0.jobs ?? 0) < Int(threshold) && $0.jobs != nil }.map(\.host)
        var text = "the fewest tasks a stage host took since the stage was applied: \(fewest)"
        if !short.isEmpty { text += "; too few: " + names(short) }
        if !missing.isEmpty { text += "; no task history: " + names(missing) }
        let passed = missing.isEmpty && Double(fewest) >= threshold
        return GateResult(key: key, value: missing.isEmpty ? Double(fewest) : nil, threshold: threshold, passed: passed, explanation: text)
    }

    static func successRate(_ threshold: Double, _ input: GateInput) -> GateResult {
        let key = GateKey.tcSuccessRateMin
        let known = input.stage.filter { $0.jobs != nil }
        guard !known.isEmpty else {
            return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "no task history for any stage host")
        }
        // Over the tasks that ended: one still running has no outcome yet.
        let jobs = known.reduce(0) { $0 + ($1.finished ?? $1.jobs ?? 0) }
        let ok = known.reduce(0) { $0 + min($1.succeeded ?? 0, $1.finished ?? $1.jobs ?? 0) }
        guard jobs > 0 else {
            return GateResult(key: key, value: nil, threshold: threshold, passed: false, explanation: "no task ended on the stage's hosts since the stage was applied")
        }
        let rate = (Double(ok) / Double(jobs) * 1000).rounded() / 1000
        var text = "\(ok) of \(jobs) finished task(s) on the stage's hosts succeeded since the stage was applied"
        let missing = input.stage.count - known.count
        if missing > 0 { text += "; \(missing) host(s) without task history" }
        return GateResult(key: key, value: rate, threshold: threshold, passed: rate >= threshold, explanation: text)
    }

    /// Up to five host names, and how many more.
    public static func names(_ hosts: [String]) -> String {
        hosts.prefix(5).joined(separator: ", ") + (hosts.count > 5 ? " and \(hosts.count - 5) more" : "")
    }
}
