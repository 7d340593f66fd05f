import Foundation

/// Who is running fleetroll, as recorded in every record: `FLEETROLL_ACTOR`, then `SUDO_USER`,
/// then `USER`, then `unknown`.
public func currentActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    for key in ["FLEETROLL_ACTOR", "SUDO_USER", "USER"] {
        if let v = environment[key], !v.isEmpty { return v }
    }
    return "unknown"
}
