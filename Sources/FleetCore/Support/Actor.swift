import Foundation

/// Who is running fleetroll, as recorded in every record: `FLEETROLL_ACTOR`, then `SUDO_USER`,
/// then `USER`, then `unknown`.
public func currentActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    for key in ["FLEETROLL_ACTOR", "SUDO_USER", "USER"] {
        if let v = environment[key], !v.isEmpty { return v }
    }
    return "unknown"
}

/// Who is acting and what time it is, for every record a library writes. The program reads
/// both once (`live`), tests pass their own: no library reads the environment or the clock.
public struct RunContext: Sendable {
    public var actor: String
    public var clock: @Sendable () -> Date

    public init(actor: String, clock: @escaping @Sendable () -> Date) {
        self.actor = actor
        self.clock = clock
    }

    /// The user from the environment (`currentActor`) and the system clock.
    public static func live(environment: [String: String] = ProcessInfo.processInfo.environment) -> RunContext {
        RunContext(actor: currentActor(environment: environment), clock: { Date() })
    }

    public var now: Date { clock() }

    /// The time as records carry it.
    public var timestamp: String { Timestamp.iso(clock()) }
}
