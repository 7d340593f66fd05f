import FleetCore
import Foundation
import Testing

@Suite("Puppet state file")
struct PuppetStateTests {
    @Test func readsSchemaVersion1() throws {
        let json = """
            {
              "schema_version": 1, "ts": "2026-01-29T10:30:45Z", "duration_s": 45, "success": true, "exit_code": 2,
              "role": "gecko_t_linux_talos", "git_repo": "https://github.com/mozilla-platform-ops/ronin_puppet.git",
              "git_branch": "master", "git_sha": "48ab8fa4f79ea9cac7acf4b9d4921ab21ae89d0d", "git_dirty": false,
              "vault_path": "/root/vault.yaml", "vault_sha": "aa", "override_path": "/etc/puppet/ronin_settings", "override_sha": null
            }
            """
        let s = try #require(PuppetState.parseJSON(Data(json.utf8)))
        #expect(s.ts == "2026-01-29T10:30:45Z")
        #expect(s.lastRunEpoch == 1_769_682_645)
        #expect(s.durationS == 45)
        #expect(s.success == true)
        #expect(s.exitCode == 2)
        #expect(s.gitBranch == "master")
        #expect(s.gitDirty == false)
        #expect(s.vaultSHA == "aa")
        #expect(s.overrideSHA == nil)
    }

    @Test func windowsNAValuesAreNull() throws {
        let json = #"{"ts":"2026-02-01T00:00:00Z","success":"NA","exit_code":"NA","git_dirty":"NA","vault_sha":"NA","override_sha":"NA","role":"win116424h2hwref","git_sha":"deadbeef"}"#
        let s = try #require(PuppetState.parseJSON(Data(json.utf8)))
        #expect(s.success == nil)
        #expect(s.exitCode == nil)
        #expect(s.gitDirty == nil)
        #expect(s.vaultSHA == nil)
        #expect(s.role == "win116424h2hwref")
    }

    @Test func missingKeysAndNullsAreFine() throws {
        let s = try #require(PuppetState.parseJSON(Data(#"{"git_sha":null}"#.utf8)))
        #expect(s.isEmpty)
    }

    /// The schema's types, as host-kit's verify-state-file.sh checks them: a value of another type
    /// is not guessed at (`"success": "yes"` is not success), it is left out and reported.
    @Test func valuesOfTheWrongTypeAreProblems() throws {
        let (s, problems) = PuppetState.read(Data(#"{"exit_code":"2","duration_s":"45","success":"yes","git_dirty":"0","ts":"2026-01-29T10:30:45Z"}"#.utf8))
        #expect(s.exitCode == nil)
        #expect(s.durationS == nil)
        #expect(s.success == nil)
        #expect(s.gitDirty == nil)
        #expect(s.ts == "2026-01-29T10:30:45Z", "the fields that are right are kept")
        #expect(problems.count == 4)
        #expect(problems.contains(#"success is "yes", not true or false"#))
    }

    @Test(arguments: [#"{"exit_code":1e400}"#, #"{"ts":"x"} trailing"#, "{\"ts\":\"x\"}{}"])
    func unreadableJSONIsAProblem(_ text: String) {
        #expect(!PuppetState.read(Data(text.utf8)).problems.isEmpty, "\(text)")
    }

    @Test func naiveTimestampIsUTC() throws {
        let s = try #require(PuppetState.parseJSON(Data(#"{"ts":"2026-01-29T10:30:45"}"#.utf8)))
        #expect(s.lastRunEpoch == 1_769_682_645)
    }

    @Test(arguments: ["", "not json", "[1,2]", "{\"ts\": ", "null", "\u{FF}\u{FE}"])
    func brokenFilesGiveNil(_ text: String) {
        #expect(PuppetState.parseJSON(Data(text.utf8)) == nil)
    }

    @Test func badTimestampLeavesEpochNil() throws {
        let s = try #require(PuppetState.parseJSON(Data(#"{"ts":"null"}"#.utf8)))
        #expect(s.ts == "null")
        #expect(s.lastRunEpoch == nil)
    }

    @Test func legacyKeysFillOnlyMissingFields() {
        var s = PuppetState()
        s.gitSHA = "fromjson"
        s.fillFromLegacy(["PP_GIT_SHA": "legacy", "PP_SUCCESS": "1", "PP_LAST_RUN_EPOCH": "1700000000", "PP_EXIT_CODE": "x"])
        #expect(s.gitSHA == "fromjson")
        #expect(s.success == true)
        #expect(s.lastRunEpoch == 1_700_000_000)
        #expect(s.exitCode == nil)
    }

    @Test func puppetYAMLReportAndSummary() {
        var report = PuppetState()
        report.fillFromLegacy(["PP_REPORT_TIME": "'2026-01-29T10:30:45.123456789+00:00'", "PP_REPORT_STATUS": "failed"])
        #expect(report.lastRunEpoch == 1_769_682_645)
        #expect(report.success == false)
        var summary = PuppetState()
        summary.fillFromLegacy(["PP_SUMMARY_LAST_RUN": "1795538000", "PP_SUMMARY_FAILURES": "0"])
        #expect(summary.lastRunEpoch == 1_795_538_000)
        #expect(summary.success == true)
    }
}

@Suite("Small pure helpers")
struct SupportTests {
    @Test(arguments: [
        ("2026-01-27T04:30:00+00:00", 1_769_488_200.0), ("2026-01-27T04:30:00Z", 1_769_488_200.0),
        ("2026-01-27T04:30:00.500Z", 1_769_488_200.5), ("2026-01-27T06:30:00+02:00", 1_769_488_200.0),
        ("2026-01-27T04:30:00", 1_769_488_200.0), ("2026-01-27 04:30:00", 1_769_488_200.0),
    ])
    func parsesTimestamps(_ text: String, _ epoch: Double) throws {
        #expect(try #require(Timestamp.parse(text)).timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2026-01-27T04:30:00Zjunk", "2026-01-27"])
    func rejectsBadTimestamps(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test(arguments: ["1970-01-01T00:00:00+00:00", "2000-02-29T23:59:59+00:00", "2024-02-29T12:00:00+00:00",
                      "2026-12-31T23:59:59+00:00", "2100-03-01T00:00:00+00:00", "1969-12-31T23:59:59+00:00"])
    func roundTrips(_ text: String) throws {
        #expect(Timestamp.iso(try #require(Timestamp.parse(text))) == text)
    }

    @Test func checksDays() {
        #expect(Timestamp.parse("2025-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-04-31T00:00:00Z") == nil)
    }

    @Test func writesTheOldFormat() {
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 1_769_488_200.9)) == "2026-01-27T04:30:00+00:00")
    }

    @Test func splitsLikeAShell() throws {
        #expect(try ShellQuoting.split("-J bastion") == ["-J", "bastion"])
        #expect(try ShellQuoting.split("-o 'ProxyCommand=ssh -W %h:%p b'") == ["-o", "ProxyCommand=ssh -W %h:%p b"])
        #expect(try ShellQuoting.split(#"-F "/tmp/my lab/ssh_config" a\ b"#) == ["-F", "/tmp/my lab/ssh_config", "a b"])
        #expect(try ShellQuoting.split("  ") == [])
        #expect(throws: ShellSplitError.self) { try ShellQuoting.split("-o 'unclosed") }
    }

    @Test func quotesForAShell() {
        #expect(ShellQuoting.quote("it's") == #"'it'"'"'s'"#)
    }

    @Test func naturalOrder() {
        let hosts = ["ms-10", "ms-2", "ms-1", "Ms-3", "a"]
        #expect(hosts.naturallySorted { $0 } == ["a", "ms-1", "ms-2", "Ms-3", "ms-10"])
    }

    @Test func humanDurations() {
        #expect(Durations.humanize(45) == "45s")
        #expect(Durations.humanize(720) == "12m")
        #expect(Durations.humanize(5 * 3600 + 120) == "5h 02m")
        #expect(Durations.humanize(3 * 86400 + 4 * 3600) == "3d 04h")
    }

    @Test func sha256() {
        #expect(Digest.sha256Hex(Data("hello".utf8)) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(Digest.isSHA256Hex("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"))
        #expect(!Digest.isSHA256Hex("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"))
    }

    @Test func actorComesFromTheEnvironment() {
        #expect(currentActor(environment: ["FLEETROLL_ACTOR": "a", "USER": "u"]) == "a")
        #expect(currentActor(environment: ["SUDO_USER": "s", "USER": "u"]) == "s")
        #expect(currentActor(environment: [:]) == "unknown")
    }
}
