import Foundation

/// What one ssh run of the audit script produced, as the transport saw it.
public struct AuditRun: Sendable {
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: String
    public var timedOut: Bool
    /// Set when ssh could not be started at all.
    public var launchError: String?
    /// The session sent more than `HostLimits.sessionOutputBytes` and was ended.
    public var outputLimitExceeded = false
    /// fleetroll ended the session itself (its batch was cancelled): nothing is known of the host.
    public var cancelled = false

    public init(exitCode: Int32, stdout: Data, stderr: String, timedOut: Bool, launchError: String? = nil,
                outputLimitExceeded: Bool = false, cancelled: Bool = false) {
        self.exitCode = exitCode; self.stdout = stdout; self.stderr = stderr
        self.timedOut = timedOut; self.launchError = launchError; self.outputLimitExceeded = outputLimitExceeded
        self.cancelled = cancelled
    }
}

/// The verdict on one audit run: either an observed state plus the file contents to keep, or a
/// classified failure. Only complete, verified output is trusted (the old tool hashed and stored
/// truncated content, W7).
public struct AuditVerdict: Sendable {
    public var errorClass: ErrorClass?
    public var error: String?
    public var observed: ObservedState?
    /// Override bytes, present when content was requested and matched the host's SHA-256.
    public var overrideContent: Data?
    /// vault.yaml bytes, present when the host sent them and they matched its SHA-256.
    public var vaultContent: Data?

    public var ok: Bool { errorClass == nil }
}

public enum AuditInterpreter {
    public static func interpret(_ run: AuditRun, timeoutSeconds: Double) -> AuditVerdict {
        if let launch = run.launchError {
            return failure(.local, launch)
        }
        if run.cancelled {
            return failure(.interrupted, "stopped by fleetroll before the host answered")
        }
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if run.outputLimitExceeded {
            return failure(.oversized, "the host sent more than \(byteText(HostLimits.sessionOutputBytes)); the session was ended and nothing kept")
        }
        if run.timedOut {
            return failure(.timeout, "no complete answer within \(formatSeconds(timeoutSeconds))")
        }
        if run.exitCode != 0 {
            let cls = FailureClassifier.classify(exitCode: run.exitCode, stderr: stderr, timedOut: false)
            // ssh prints the reason it gave up last.
            let reason = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            return failure(cls, reason.isEmpty ? "ssh exited with status \(run.exitCode)" : reason)
        }
        let output = RemoteOutput.parse(run.stdout)
        guard output.started, output.complete else {
            return failure(.truncated, output.started
                ? "the audit output ended before its end marker"
                : "the host did not run the audit script (no start line in its output)")
        }
        let f = output.fields
        if f["SUDO_OK"] == "0" {
            let why = f["SUDO_ERROR"].flatMap { $0.isEmpty ? nil : $0 } ?? "sudo -n failed"
            return failure(.sudo, "sudo -n failed on the host: \(why)")
        }
        if let key = output.oversized.sorted().first {
            return failure(.oversized, "\(describe(key)) is over fleetroll's limit of \(byteText(HostLimits.valueLimit(forKey: key))); nothing of it was kept")
        }
        if let why = f["FILES_ERROR"] { return failure(.remote, why) }
        return interpretFields(f)
    }

    /// What a protocol key carries, for messages.
    static func describe(_ key: String) -> String {
        switch key {
        case "OVERRIDE_CONTENT_B64": return "the override file"
        case "VLT_CONTENT_B64": return "vault.yaml"
        case "PP_STATE_JSON": return "the puppet state file"
        case "ROLE": return "the role file"
        default: return "the host's \(key) value"
        }
    }

    static func byteText(_ n: Int) -> String {
        n >= 1 << 20 ? "\(n >> 20) MiB" : n >= 1 << 10 ? "\(n >> 10) KiB" : "\(n) bytes"
    }

    static func interpretFields(_ f: [String: String]) -> AuditVerdict {
        var o = ObservedState()
        o.osType = nonEmpty(f["OS_TYPE"])
        o.remoteHostname = nonEmpty(f["HOSTNAME"])
        o.uptimeS = f["UPTIME_S"].flatMap { Int($0) }
        o.roleKind = kind(f, "ROLE")
        o.rolePresent = f["ROLE_PRESENT"] == "1"
        if o.rolePresent && o.roleKind.map({ $0 == .file }) ?? true {
            let role = (f["ROLE"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            // The role is one word; anything else is not a role puppet would use.
            if role.unicodeScalars.contains(where: { $0.properties.isWhitespace || TerminalText.isUnsafe($0) }) {
                return failure(.oversized, "the role file holds more than one word; fleetroll keeps a role of one word only")
            }
            o.role = role
        }

        var verdict = AuditVerdict()
        o.overrideKind = kind(f, "OVERRIDE")
        o.overridePresent = f["OVERRIDE_PRESENT"] == "1"
        if o.overridePresent, let k = o.overrideKind, k != .file {
            o.contentError = "the override path holds \(k.phrase), not a regular file: not followed, nothing read"
        } else if o.overridePresent {
            o.overrideMeta = meta(f, "OVERRIDE")
            if let size = o.overrideMeta?.size.flatMap({ Int($0) }), size > HostLimits.managedFileBytes {
                return failure(.oversized, "the override file is \(size) bytes, over fleetroll's limit of \(byteText(HostLimits.managedFileBytes)); nothing of it was kept")
            }
            let remoteSHA = f["OVERRIDE_SHA256"].flatMap { Digest.isSHA256Hex($0) ? $0 : nil }
            if let b64 = f["OVERRIDE_CONTENT_B64"] {
                guard let content = Data(base64Encoded: b64) else {
                    return failure(.truncated, "the override content was not valid base64")
                }
                if content.count > HostLimits.managedFileBytes {
                    return failure(.oversized, "the override file is over fleetroll's limit of \(byteText(HostLimits.managedFileBytes)); nothing of it was kept")
                }
                let local = Digest.sha256Hex(content)
                if let size = o.overrideMeta?.size.flatMap({ Int($0) }), size != content.count {
                    o.overrideSHA256 = remoteSHA
                    o.contentError = "the override file changed while it was read (\(size) bytes, \(content.count) read); not stored"
                } else if let remoteSHA, remoteSHA != local {
                    // The file changed between the two reads, or the bytes were altered: keep
                    // the host's SHA-256, trust no content.
                    o.overrideSHA256 = remoteSHA
                    o.contentError = "the override content did not match the SHA-256 the host computed; not stored"
                } else {
                    o.overrideSHA256 = local
                    verdict.overrideContent = content
                }
            } else {
                o.overrideSHA256 = remoteSHA
            }
        }

        o.vaultKind = kind(f, "VLT")
        o.vaultPresent = f["VLT_PRESENT"] == "1"
        if o.vaultPresent, let k = o.vaultKind, k != .file {
            o.vaultFetchError = "the vault.yaml path holds \(k.phrase), not a regular file: not followed, nothing read"
        } else if o.vaultPresent {
            o.vaultMeta = meta(f, "VLT")
            if let size = o.vaultMeta?.size.flatMap({ Int($0) }), size > HostLimits.managedFileBytes {
                return failure(.oversized, "vault.yaml is \(size) bytes, over fleetroll's limit of \(byteText(HostLimits.managedFileBytes)); nothing of it was kept")
            }
            o.vaultSHA256 = f["VLT_SHA256"].flatMap { Digest.isSHA256Hex($0) ? $0 : nil }
            if o.vaultSHA256 == nil { o.vaultFetchError = "the host did not report a SHA-256 for vault.yaml" }
            if let b64 = f["VLT_CONTENT_B64"] {
                let content = Data(base64Encoded: b64)
                if let content, content.count > HostLimits.managedFileBytes {
                    return failure(.oversized, "vault.yaml is over fleetroll's limit of \(byteText(HostLimits.managedFileBytes)); nothing of it was kept")
                }
                if let content, Digest.sha256Hex(content) == o.vaultSHA256 {
                    verdict.vaultContent = content
                } else {
                    o.vaultFetchError = "the vault.yaml content did not match its SHA-256; not stored"
                }
            }
        }

        o.puppetStateKind = kind(f, "PP_STATE")
        var puppet = PuppetState()
        if let k = o.puppetStateKind, k.exists, k != .file {
            o.puppetStateError = "the state file's path holds \(k.phrase), not a regular file: not followed, nothing read"
        } else if let b64 = f["PP_STATE_JSON"] {
            guard let data = Data(base64Encoded: b64) else { return failure(.truncated, "the puppet state file was not valid base64") }
            if data.count > HostLimits.stateFileBytes {
                return failure(.oversized, "the puppet state file is over fleetroll's limit of \(byteText(HostLimits.stateFileBytes)); nothing of it was kept")
            }
            let (state, problems) = PuppetState.read(data)
            puppet = state
            if !problems.isEmpty { o.puppetStateError = "the state file is broken: " + problems.joined(separator: "; ") }
        }
        puppet.fillFromLegacy(f)
        o.puppet = puppet
        verdict.observed = o
        return verdict
    }

    static func meta(_ f: [String: String], _ prefix: String) -> FileMeta {
        FileMeta(mode: f["\(prefix)_MODE"].flatMap(normalizeMode), owner: nonEmpty(f["\(prefix)_OWNER"]),
                 group: nonEmpty(f["\(prefix)_GROUP"]), size: nonEmpty(f["\(prefix)_SIZE"]),
                 mtimeEpoch: nonEmpty(f["\(prefix)_MTIME"]))
    }

    /// `644` (GNU stat) and `100644` (BSD stat `%p`) both become `0644`.
    public static func normalizeMode(_ raw: String) -> String? {
        let digits = raw.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."7").contains($0) }) else { return nil }
        let last4 = String(digits.suffix(4))
        return String(repeating: "0", count: 4 - last4.count) + last4
    }

    /// `<PREFIX>_KIND`, from scripts that report it.
    static func kind(_ f: [String: String], _ prefix: String) -> HostFileKind? {
        f["\(prefix)_KIND"].map { HostFileKind(rawValue: $0) ?? .other }
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    static func failure(_ cls: ErrorClass, _ message: String) -> AuditVerdict {
        AuditVerdict(errorClass: cls, error: message)
    }

    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s)
    }
}
