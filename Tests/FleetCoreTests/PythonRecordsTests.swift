import FleetCore
import Foundation
import Testing

@Suite("Python fleetroll records")
struct PythonRecordsTests {
    let host = "t-linux64-ms-016.test.releng.mdc1.mozilla.com"

    func failed(rc: Int?, stderr: String) -> HostObservation? {
        let rcText = rc.map(String.init) ?? "null"
        let json = #"{"action": "host.audit", "host": "x", "ok": false, "ssh_rc": \#(rcText), "stderr": "\#(stderr)", "observed": {"role_present": true, "role": "partial"}}"#
        return PythonRecords.observation(host: host, ts: "2026-12-01T10:00:00+00:00", ok: false, data: Data(json.utf8))
    }

    @Test func failuresGetTheErrorClassOurGathersGive() throws {
        let auth = try #require(failed(rc: 255, stderr: "relops@host: Permission denied (publickey)."))
        #expect(auth.errorClass == .auth && auth.error == "relops@host: Permission denied (publickey).")
        #expect(auth.observed == nil, "partial output of a failed run is not trusted")
        #expect(auth.host == host, "the row's columns win over the JSON")
        #expect(failed(rc: 255, stderr: "kex_exchange_identification: Connection closed by remote host")?.errorClass == .unreachable)
        #expect(failed(rc: 124, stderr: "ssh timeout")?.errorClass == .timeout)
        #expect(failed(rc: 1, stderr: "sh: 1: set: Illegal option -o pipefail")?.errorClass == .remote)
        #expect(failed(rc: 255, stderr: "")?.errorClass == .ssh)
        #expect(failed(rc: 255, stderr: "")?.error == "ssh exited with status 255")
        #expect(failed(rc: nil, stderr: "")?.errorClass == .local)
    }

    @Test func observedFieldsAreReadLeniently() throws {
        let json = """
            {"ts": "x", "actor": "relops", "ok": true, "ssh_rc": 0, "stderr": "Warning: Permanently added 'h' to known hosts.\\n",
             "observed": {"os_type": "Windows", "role_present": true, "role": " win116424h2hwref ", "uptime_s": "120",
               "override_present": true, "override_meta": {"mode": "644", "owner": "root", "group": "", "size": "3", "mtime_epoch": null},
               "override_sha256": "not-a-sha", "vault_present": true, "vault_meta": {"mode": "0640", "owner": "", "group": "", "size": "", "mtime_epoch": ""},
               "vault_sha256": "\(String(repeating: "ab", count: 32))", "puppet_state_ts": "2026-02-01T00:00:00", "puppet_last_run_epoch": 1,
               "puppet_success": "NA", "puppet_exit_code": "2", "puppet_git_dirty": "NA", "puppet_git_sha": "deadbeef"}}
            """
        let o = try #require(PythonRecords.observation(host: host, ts: "2026-12-01T10:00:00+00:00", ok: true, data: Data(json.utf8)))
        #expect(o.ts == "2026-12-01T10:00:00+00:00" && o.actor == "relops" && o.errorClass == nil)
        #expect(o.stderr == "Warning: Permanently added 'h' to known hosts.")
        let observed = try #require(o.observed)
        #expect(observed.role == "win116424h2hwref" && observed.uptimeS == 120)
        #expect(observed.overrideMeta == FileMeta(mode: "0644", owner: "root", size: "3"))
        #expect(observed.overrideSHA256 == nil, "only a real SHA-256 is kept")
        #expect(observed.vaultMeta == FileMeta(mode: "0640"), "empty strings are unknown values")
        #expect(observed.puppet.success == nil && observed.puppet.gitDirty == nil && observed.puppet.exitCode == 2)
        #expect(observed.puppet.lastRunEpoch == 1_769_904_000, "a zone-less puppet time is UTC, not the collector's zone")
        #expect(PythonRecords.observation(host: host, ts: "t", ok: true, data: Data("[1]".utf8)) == nil)
    }

    @Test func workersAndNotes() throws {
        let worker = try #require(PythonRecords.worker(host: host, ts: "t", data: Data("""
            {"type": "worker", "worker_id": "t-linux64-ms-016", "state": "running", "quarantine_until": null, "worker_type": "gecko-t-linux-talos-1804"}
            """.utf8)))
        #expect(worker.type == .worker && worker.workerId == "t-linux64-ms-016" && worker.quarantineUntil == nil)
        #expect(PythonRecords.worker(host: host, ts: "t", data: Data("{}".utf8))?.workerId == "t-linux64-ms-016")

        let add = try #require(PythonRecords.note(line: Data(#"{"action": "host.note_add", "actor": "a", "host": "\#(host)", "note": "NA", "ts": "t"}"#.utf8)))
        #expect(add.note == "NA" && !add.isClear)
        let clear = try #require(PythonRecords.note(line: Data(#"{"action": "host.note_clear", "host": "\#(host)", "ts": "t", "reason": "done"}"#.utf8)))
        #expect(clear.isClear && clear.reason == "done" && clear.actor == "unknown" && clear.note == nil)
        #expect(PythonRecords.note(line: Data(#"{"action": "host.set_override", "host": "h", "ts": "t"}"#.utf8)) == nil)
        #expect(PythonRecords.note(line: Data("{broken".utf8)) == nil)
    }
}
