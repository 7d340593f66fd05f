import FleetCore
import Foundation
import Testing

/// Builds audit output the way the remote script prints it.
func auditOutput(_ lines: [String], complete: Bool = true, prefix: String = "") -> Data {
    var text = prefix + RemoteProtocol.startLine + "\n" + lines.joined(separator: "\n") + "\n"
    if complete { text += RemoteProtocol.endMarker + "\n" }
    return Data(text.utf8)
}

func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
func sha(_ s: String) -> String { Digest.sha256Hex(Data(s.utf8)) }

func ok(_ stdout: Data) -> AuditVerdict {
    AuditInterpreter.interpret(AuditRun(exitCode: 0, stdout: stdout, stderr: "", timedOut: false), timeoutSeconds: 10)
}

@Suite("Remote output parsing")
struct AuditInterpreterTests {
    static let override = "PUPPET_BRANCH=\"x\"\nPUPPET_REPO='https://github.com/a/ronin_puppet.git'\n"
    static let vault = "---\nsecret: abc\n"

    static var fullLines: [String] {
        [
            "OS_TYPE=Linux", "HOSTNAME=t-linux64-ms-001", "UPTIME_S=3600", "SUDO_OK=1",
            "ROLE_PRESENT=1", "ROLE=gecko_t_linux_talos ",
            "VLT_PRESENT=1", "VLT_MODE=640", "VLT_OWNER=root", "VLT_GROUP=root", "VLT_SIZE=14", "VLT_MTIME=1700000000",
            "VLT_SHA256=\(sha(vault))", "VLT_CONTENT_B64=\(b64(vault))",
            "PP_STATE_JSON=\(b64(#"{"ts":"2026-01-29T10:30:45Z","git_sha":"abc","success":true,"exit_code":2}"#))",
            "OVERRIDE_PRESENT=1", "OVERRIDE_MODE=100644", "OVERRIDE_OWNER=root", "OVERRIDE_GROUP=wheel",
            "OVERRIDE_SIZE=60", "OVERRIDE_MTIME=1700000001",
            "OVERRIDE_SHA256=\(sha(override))", "OVERRIDE_CONTENT_B64=\(b64(override))",
        ]
    }

    @Test func completeOutputBecomesAnObservation() throws {
        let v = ok(auditOutput(Self.fullLines))
        #expect(v.ok)
        let o = try #require(v.observed)
        #expect(o.osType == "Linux")
        #expect(o.uptimeS == 3600)
        #expect(o.role == "gecko_t_linux_talos")
        #expect(o.vaultSHA256 == sha(Self.vault))
        #expect(o.vaultMeta == FileMeta(mode: "0640", owner: "root", group: "root", size: "14", mtimeEpoch: "1700000000"))
        #expect(v.vaultContent == Data(Self.vault.utf8))
        #expect(o.overrideSHA256 == sha(Self.override))
        #expect(o.overrideMeta?.mode == "0644")
        #expect(o.overrideMeta?.group == "wheel")
        #expect(v.overrideContent == Data(Self.override.utf8))
        #expect(o.puppet.gitSHA == "abc")
        #expect(o.puppet.exitCode == 2)
        #expect(o.puppet.lastRunEpoch == 1_769_682_645)
    }

    @Test func bannerAndJunkBeforeTheStartLineAreIgnored() throws {
        let junk = "Welcome!\nROLE_PRESENT=1\nROLE=forged\n\u{1B}[31m\u{00}\u{FF}\n"
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=0", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0"], prefix: junk))
        let o = try #require(v.observed)
        #expect(!o.rolePresent)
        #expect(o.role == nil)
    }

    @Test func outputWithoutEndMarkerIsTruncated() {
        var lines = Self.fullLines
        lines[lines.count - 1] = "OVERRIDE_CONTENT_B64=\(b64(Self.override).prefix(10))"
        let v = ok(auditOutput(lines, complete: false))
        #expect(v.errorClass == .truncated)
        #expect(v.observed == nil)
        #expect(v.overrideContent == nil)
    }

    @Test func outputWithoutStartLineIsRejected() {
        let v = ok(Data("OS_TYPE=Linux\n\(RemoteProtocol.endMarker)\n".utf8))
        #expect(v.errorClass == .truncated)
    }

    @Test func contentThatDoesNotMatchTheHostsSHAIsNotTrusted() throws {
        var lines = Self.fullLines
        lines[lines.count - 1] = "OVERRIDE_CONTENT_B64=\(b64("PUPPET_BRANCH=\"x\"\n"))"
        let v = ok(auditOutput(lines))
        let o = try #require(v.observed)
        #expect(o.overrideSHA256 == sha(Self.override))
        #expect(v.overrideContent == nil)
        #expect(o.contentError != nil)
    }

    @Test func invalidBase64IsRejected() {
        var lines = Self.fullLines
        lines[lines.count - 1] = "OVERRIDE_CONTENT_B64=@@not base64@@"
        #expect(ok(auditOutput(lines)).errorClass == .truncated)
    }

    @Test func vaultMismatchKeepsTheObservationButNotTheContent() throws {
        var lines = Self.fullLines
        lines[13] = "VLT_CONTENT_B64=\(b64("tampered"))"
        let v = ok(auditOutput(lines))
        let o = try #require(v.observed)
        #expect(v.vaultContent == nil)
        #expect(o.vaultSHA256 == sha(Self.vault))
        #expect(o.vaultFetchError != nil)
    }

    @Test func noContentKeepsTheRemoteSHA() throws {
        let lines = Self.fullLines.filter { !$0.hasPrefix("OVERRIDE_CONTENT_B64=") }
        let o = try #require(ok(auditOutput(lines)).observed)
        #expect(o.overrideSHA256 == sha(Self.override))
    }

    @Test func sudoFailureIsItsOwnErrorNotAbsentFiles() {
        let v = ok(auditOutput(["OS_TYPE=Linux", "SUDO_OK=0", "SUDO_ERROR=sudo: a password is required"]))
        #expect(v.errorClass == .sudo)
        #expect(v.error?.contains("a password is required") == true)
        #expect(v.observed == nil)
    }

    @Test func hostileValuesStayValues() throws {
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=1", "ROLE=$(rm -rf /); `id` \u{1B}[2J", "OVERRIDE_PRESENT=0",
                                "VLT_PRESENT=0", "lower=case", "=novalue", "UPTIME_S=12abc", String(repeating: "X", count: 100_000)]))
        let o = try #require(v.observed)
        #expect(o.role == "$(rm -rf /); `id` \u{1B}[2J")
        #expect(o.uptimeS == nil)
    }

    @Test func lastDuplicateKeyWins() throws {
        let o = try #require(ok(auditOutput(["SUDO_OK=1", "UPTIME_S=1", "UPTIME_S=2"])).observed)
        #expect(o.uptimeS == 2)
    }

    @Test(arguments: [
        (255, "ssh: connect to host 127.77.1.4 port 22: Connection refused", ErrorClass.unreachable),
        (255, "ssh: Could not resolve hostname nope: Name or service not known", .unreachable),
        (255, "ssh: connect to host 10.0.0.1 port 22: Connection timed out", .unreachable),
        (255, "Connection timed out during banner exchange", .timeout),
        (255, "relops@host: Permission denied (publickey).", .auth),
        (255, "Host key verification failed.", .auth),
        (255, "kex_exchange_identification: Connection closed by remote host", .unreachable),
        (255, "something new", .ssh),
        (127, "sh: 1: sh: not found", .remote),
        (1, "cat: /etc/x: Permission denied", .remote),
        (2, "Connection refused", .remote),
    ] as [(Int32, String, ErrorClass)])
    func sshFailuresAreClassified(_ rc: Int32, _ stderr: String, _ expected: ErrorClass) {
        let v = AuditInterpreter.interpret(AuditRun(exitCode: rc, stdout: Data(), stderr: stderr, timedOut: false), timeoutSeconds: 10)
        #expect(v.errorClass == expected)
        #expect(v.observed == nil)
    }

    @Test func ownTimeoutWinsEvenWithPartialOutput() {
        let v = AuditInterpreter.interpret(AuditRun(exitCode: 124, stdout: auditOutput(Self.fullLines, complete: false),
                                                    stderr: "ssh timeout", timedOut: true), timeoutSeconds: 7)
        #expect(v.errorClass == .timeout)
        #expect(v.error == "no complete answer within 7s")
        #expect(v.overrideContent == nil)
    }

    @Test func onlyConnectionFailuresAreRetried() {
        #expect(FailureClassifier.isRetryable(.unreachable))
        for cls in ErrorClass.allCases where cls != .unreachable { #expect(!FailureClassifier.isRetryable(cls)) }
    }

    @Test(arguments: [("644", "0644"), ("100644", "0644"), ("0640", "0640"), ("4755", "4755"), ("7", "0007")])
    func modesAreFourOctalDigits(_ raw: String, _ expected: String) {
        #expect(AuditInterpreter.normalizeMode(raw) == expected)
    }

    @Test func nonOctalModeIsDropped() {
        #expect(AuditInterpreter.normalizeMode("rw-r--r--") == nil)
    }
}
