import Foundation

/// What one ssh run of the audit script produced, as the transport saw it.
public struct AuditRun: Sendable {
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: String
    public var timedOut: Bool
    /// Set when ssh could not be started at all.
    public var launchError: String?

    public init(exitCode: Int32, stdout: Data, stderr: String, timedOut: Bool, launchError: String? = nil) {
        self.exitCode = exitCode; self.stdout = stdout; self.stderr = stderr
        self.timedOut = timedOut; self.launchError = launchError
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
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
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
        return interpretFields(f)
    }

    static func interpretFields(_ f: [String: String]) -> AuditVerdict {
        var o = ObservedState()
        o.osType = nonEmpty(f["OS_TYPE"])
        o.remoteHostname = nonEmpty(f["HOSTNAME"])
        o.uptimeS = f["UPTIME_S"].flatMap { Int($0) }
        o.rolePresent = f["ROLE_PRESENT"] == "1"
        if o.rolePresent { o.role = f["ROLE"] ?? "" }

        var verdict = AuditVerdict()
        o.overridePresent = f["OVERRIDE_PRESENT"] == "1"
        if o.overridePresent {
            o.overrideMeta = meta(f, "OVERRIDE")
            let remoteSHA = f["OVERRIDE_SHA256"].flatMap { Digest.isSHA256Hex($0) ? $0 : nil }
            if let b64 = f["OVERRIDE_CONTENT_B64"] {
                guard let content = Data(base64Encoded: b64) else {
                    return failure(.truncated, "the override content was not valid base64")
                }
                let local = Digest.sha256Hex(content)
                if let remoteSHA, remoteSHA != local {
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

        o.vaultPresent = f["VLT_PRESENT"] == "1"
        if o.vaultPresent {
            o.vaultMeta = meta(f, "VLT")
            o.vaultSHA256 = f["VLT_SHA256"].flatMap { Digest.isSHA256Hex($0) ? $0 : nil }
            if o.vaultSHA256 == nil { o.vaultFetchError = "the host did not report a SHA-256 for vault.yaml" }
            if let b64 = f["VLT_CONTENT_B64"] {
                if let content = Data(base64Encoded: b64), Digest.sha256Hex(content) == o.vaultSHA256 {
                    verdict.vaultContent = content
                } else {
                    o.vaultFetchError = "the vault.yaml content did not match its SHA-256; not stored"
                }
            }
        }

        var puppet = f["PP_STATE_JSON"].flatMap { Data(base64Encoded: $0) }.flatMap(PuppetState.parseJSON) ?? PuppetState()
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
