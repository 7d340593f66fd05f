/// One host as fleetroll addresses it: an optional login user and a host name or IP literal.
///
/// Every value of this type has been validated, so it can be handed to `ssh` (after `--`) without
/// any chance of being read as an option or reaching a shell: it contains no spaces, no quotes,
/// no shell metacharacters, and neither part starts with `-`.
public struct HostTarget: Hashable, Sendable, CustomStringConvertible {
    public let user: String?
    public let host: String

    /// The suffix appended to bare short names given on the command line.
    public static let defaultDomainSuffix = ".test.releng.mdc1.mozilla.com"

    public init(user: String?, host: String) {
        self.user = user
        self.host = host
    }

    /// `user@host` or `host`, the form users type and records store.
    public var description: String {
        if let user { return "\(user)@\(host)" }
        return host
    }

    /// The destination argument for ssh. IPv6 literals are passed bare (ssh does not accept brackets).
    public var sshDestination: String { description }

    /// Windows hosts in the Mozilla fleet are recognised by name.
    public var isWindows: Bool { host.lowercased().contains("wintest") }

    /// Parses and validates `user@host`, `host`, an IPv4 literal, or an IPv6 literal (bare or in
    /// brackets). Throws `HostNameError` naming what is wrong.
    public static func parse(_ raw: String) throws(HostNameError) -> HostTarget {
        if raw.isEmpty { throw .empty }
        if raw.first == "-" { throw .invalid(raw, "it starts with '-' and would be read as an ssh option") }
        if let bad = raw.unicodeScalars.first(where: { !isAllowedScalar($0) }) {
            let shown = bad.properties.generalCategory == .control || bad == " "
                ? "U+\(String(bad.value, radix: 16, uppercase: true))" : "'\(bad)'"
            throw .invalid(raw, "it contains the character \(shown), which no host name has")
        }
        var user: String?
        var hostPart = Substring(raw)
        if let at = raw.lastIndex(of: "@") {
            let userPart = String(raw[..<at])
            guard isValidUser(userPart) else {
                throw .invalid(raw, "'\(userPart)' is not a valid login name")
            }
            user = userPart
            hostPart = raw[raw.index(after: at)...]
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") && hostPart.count > 2 {
            let inner = String(hostPart.dropFirst().dropLast())
            guard IPAddress.isIPv6(inner) else { throw .invalid(raw, "'\(inner)' is not an IPv6 address") }
            return HostTarget(user: user, host: inner)
        }
        let host = String(hostPart)
        if host.isEmpty { throw .invalid(raw, "the host part is empty") }
        if IPAddress.isIPv4(host) || IPAddress.isIPv6(host) { return HostTarget(user: user, host: host) }
        if let problem = hostnameProblem(host) { throw .invalid(raw, problem) }
        return HostTarget(user: user, host: host)
    }

    /// The command-line convenience the old tool offered: `ms1` / `ms-001` become
    /// `t-linux64-ms-001`, and a name without a dot gets the default domain. IP literals and
    /// names that already have a dot are left alone; the user part is kept.
    public func expandingShortName(suffix: String = HostTarget.defaultDomainSuffix) -> HostTarget {
        if host.contains(".") || IPAddress.isIPv6(host) { return self }
        var name = host
        let lower = name.lowercased()
        if lower.hasPrefix("ms") {
            var digits = lower.dropFirst(2)
            if digits.first == "-" { digits = digits.dropFirst() }
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits) {
                let padded = String(n)
                name = "t-linux64-ms-" + String(repeating: "0", count: max(0, 3 - padded.count)) + padded
            }
        }
        return HostTarget(user: user, host: name + suffix)
    }

    private static func isAllowedScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_", "@", ":", "[", "]": return true
        default: return false
        }
    }

    private static func isValidUser(_ user: String) -> Bool {
        guard let first = user.unicodeScalars.first, user.count <= 32 else { return false }
        guard first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return user.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" || $0 == "."
        }
    }

    /// Returns why `host` is not an RFC 1123 host name, or nil when it is one.
    static func hostnameProblem(_ host: String) -> String? {
        if host.count > 253 { return "the name is longer than 253 characters" }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "it has an empty label (two dots, or a leading or trailing dot)" }
            if label.count > 63 { return "the label '\(label)' is longer than 63 characters" }
            if label.first == "-" || label.last == "-" { return "the label '\(label)' starts or ends with '-'" }
            if label.contains(where: { !($0.isASCIILetterOrDigit || $0 == "-") }) {
                return "the label '\(label)' may only hold letters, digits and '-'"
            }
        }
        return nil
    }
}

public enum HostNameError: Error, Equatable, CustomStringConvertible {
    case empty
    case invalid(String, String)

    public var description: String {
        switch self {
        case .empty: return "an empty host name was given"
        case .invalid(let raw, let why): return "'\(raw)' is not a valid host: \(why)"
        }
    }
}

enum IPAddress {
    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCIIDigit) && (Int(p) ?? 256) <= 255
        }
    }

    static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":"), s.count <= 45 else { return false }
        let groups = s.components(separatedBy: "::")
        guard groups.count <= 2 else { return false }
        var count = 0
        for (i, half) in groups.enumerated() where !half.isEmpty {
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (j, piece) in pieces.enumerated() {
                let isLast = i == groups.count - 1 && j == pieces.count - 1
                if isLast && isIPv4(String(piece)) { count += 2; continue }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit) else { return false }
                count += 1
            }
        }
        return groups.count == 2 ? count < 8 : count == 8
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
