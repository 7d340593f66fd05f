import Foundation

/// Reading the records the Python fleetroll wrote (its `fleetroll.db` rows and `notes.jsonl`
/// lines) into ours. The reader is lenient: that tool did not check the types of what hosts
/// sent, so a number may be a string, a flag may be "NA". A record that cannot be read at all
/// gives nil, and the importer counts it instead of failing the whole import.
public enum PythonRecords {
    /// A `host_observations` row. The row's columns (`host`, `ts`, `ok`) win over the JSON.
    ///
    /// A failed record gets the error class our own gather would have given it, from its exit
    /// status and stderr. Its `observed` part is dropped: the old tool parsed whatever partial
    /// output a failed run left (its W7), and our records never trust that.
    public static func observation(host: String, ts: String, ok: Bool, data: Data) -> HostObservation? {
        guard case .object(let record)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        let rc = record["ssh_rc"]?.intValue
        let stderr = (record["stderr"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var o = HostObservation(ts: ts, actor: record["actor"]?.stringValue ?? "unknown", host: host, ok: ok,
                                sshRC: rc, stderr: stderr)
        if ok {
            guard case .object(let observed)? = record["observed"] else { return o }
            o.observed = observedState(observed)
        } else {
            (o.errorClass, o.error) = failure(rc: rc, stderr: stderr, recordedError: record["error"]?.stringValue)
        }
        return o
    }

    /// The old tool's exit status 124 means its own time limit ended the ssh run.
    static let localTimeoutStatus = 124

    static func failure(rc: Int?, stderr: String, recordedError: String?) -> (ErrorClass, String) {
        guard let rc, let code = Int32(exactly: rc) else {
            return (.local, recordedError ?? "the Python fleetroll recorded no exit status")
        }
        let timedOut = rc == localTimeoutStatus
        let cls = FailureClassifier.classify(exitCode: code, stderr: stderr, timedOut: timedOut)
        if timedOut { return (cls, "no complete answer within the Python fleetroll's time limit") }
        let reason = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        return (cls, reason.isEmpty ? (recordedError ?? "ssh exited with status \(rc)") : reason)
    }

    static func observedState(_ f: [String: JSONValue]) -> ObservedState {
        func string(_ key: String) -> String? { AuditInterpreter.nonEmpty(f[key]?.stringValue) }
        func sha(_ key: String) -> String? { string(key).flatMap { Digest.isSHA256Hex($0) ? $0 : nil } }
        var o = ObservedState()
        o.osType = string("os_type")
        o.remoteHostname = string("remote_hostname")
        o.uptimeS = f["uptime_s"]?.intValue
        o.rolePresent = f["role_present"]?.boolValue ?? false
        if o.rolePresent { o.role = (f["role"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces) }
        o.overridePresent = f["override_present"]?.boolValue ?? false
        if o.overridePresent {
            o.overrideMeta = meta(f["override_meta"])
            o.overrideSHA256 = sha("override_sha256")
            o.overrideFilePath = string("override_file_path")
        }
        o.vaultPresent = f["vault_present"]?.boolValue ?? false
        if o.vaultPresent {
            o.vaultMeta = meta(f["vault_meta"])
            o.vaultSHA256 = sha("vault_sha256")
        }
        o.puppet = puppetState(f)
        return o
    }

    /// File metadata: modes as four octal digits like ours (`644` → `0644`), and the empty
    /// strings the old tool wrote for unknown vault fields (its W21) as unknown.
    static func meta(_ value: JSONValue?) -> FileMeta? {
        guard case .object(let m)? = value else { return nil }
        func field(_ key: String) -> String? { AuditInterpreter.nonEmpty(m[key]?.stringValue) }
        return FileMeta(mode: field("mode").flatMap(AuditInterpreter.normalizeMode), owner: field("owner"),
                        group: field("group"), size: field("size"), mtimeEpoch: field("mtime_epoch"))
    }

    /// The `puppet_*` fields, read with the state file's own lenient rules. The run's epoch is
    /// worked out again from its timestamp, so a zone-less one counts as UTC as in our gathers
    /// (the old tool used the collector's local zone, its W14).
    static func puppetState(_ f: [String: JSONValue]) -> PuppetState {
        var p = PuppetState()
        p.ts = f["puppet_state_ts"]?.stringValue
        p.lastRunEpoch = p.ts.flatMap(Timestamp.parse).map { Int($0.timeIntervalSince1970) } ?? f["puppet_last_run_epoch"]?.intValue
        p.success = f["puppet_success"]?.boolValue
        p.exitCode = f["puppet_exit_code"]?.intValue
        p.durationS = f["puppet_duration_s"]?.intValue
        p.role = f["puppet_role"]?.stringValue
        p.gitRepo = f["puppet_git_repo"]?.stringValue
        p.gitBranch = f["puppet_git_branch"]?.stringValue
        p.gitSHA = f["puppet_git_sha"]?.stringValue
        p.gitDirty = f["puppet_git_dirty"]?.boolValue
        p.overrideSHA = f["puppet_override_sha_applied"]?.stringValue
        p.vaultSHA = f["puppet_vault_sha_applied"]?.stringValue
        return p
    }

    /// A `tc_workers` row. The old tool stored only workers it found, so every record is a
    /// `worker` one.
    public static func worker(host: String, ts: String, data: Data) -> WorkerRecord? {
        guard case .object(let f)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        func string(_ key: String) -> String? { f[key]?.stringValue }
        let fallbackId = String(host.split(separator: ".").first ?? Substring(host))
        var r = WorkerRecord(type: .worker, ts: ts, host: host, workerId: string("worker_id") ?? fallbackId)
        r.provisioner = string("provisioner")
        r.workerType = string("worker_type")
        r.state = string("state")
        r.lastDateActive = string("last_date_active")
        r.taskStarted = string("task_started")
        r.taskResolved = string("task_resolved")
        r.taskState = string("task_state")
        r.quarantineUntil = string("quarantine_until")
        return r
    }

    /// One line of the old tool's `notes.jsonl`: a note or a clear. Blank and broken lines, and
    /// other actions, give nil (that tool skipped them too).
    public static func note(line: Data) -> NoteRecord? {
        guard case .object(let f)? = try? JSONDecoder().decode(JSONValue.self, from: line) else { return nil }
        // Text is taken as written: a note that says "NA" is a note.
        func text(_ key: String) -> String? {
            if case .string(let s)? = f[key] { return s }
            return nil
        }
        guard let action = text("action"), action == "host.note_add" || action == "host.note_clear",
              let host = text("host"), !host.isEmpty, let ts = text("ts") else { return nil }
        return NoteRecord(action: action, actor: text("actor") ?? "unknown", host: host, ts: ts,
                          note: action == "host.note_add" ? (text("note") ?? "") : nil, reason: text("reason"))
    }
}
