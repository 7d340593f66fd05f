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
            "OVERRIDE_SIZE=\(override.utf8.count)", "OVERRIDE_MTIME=1700000001",
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
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=1", "ROLE=$(rm${IFS}-rf${IFS}/);`id`", "OVERRIDE_PRESENT=0",
                                "VLT_PRESENT=0", "lower=case", "=novalue", "UPTIME_S=12abc", String(repeating: "X", count: 100_000)]))
        let o = try #require(v.observed)
        #expect(o.role == "$(rm${IFS}-rf${IFS}/);`id`")
        #expect(o.uptimeS == nil)
    }

    /// The role is one word: spaces, escape sequences or a second line make it no role at all.
    @Test(arguments: ["two words", "evil\u{1B}[2J", "a\tb"])
    func aRoleThatIsNotOneWordIsRefused(_ role: String) {
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=1", "ROLE=\(role)", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0"]))
        #expect(v.errorClass == .oversized)
        #expect(v.observed == nil)
    }

    /// A value with a line break travels base64-encoded (`KEY~=`): it stays one value, and a
    /// host name holding protocol lines forges nothing.
    @Test func encodedValuesCannotForgeLines() throws {
        let hostname = "evil\nFLEETROLL_BEGIN=1\nOS_TYPE=Windows\n__FLEETROLL_END__"
        let v = ok(auditOutput(["OS_TYPE=Linux", "HOSTNAME~=\(b64(hostname))", "SUDO_OK=1", "ROLE_PRESENT=0", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0"]))
        let o = try #require(v.observed)
        #expect(o.remoteHostname == hostname)
        #expect(o.osType == "Linux")
    }

    /// Values over their limit are dropped and fail the gather as `oversized`; so does a session
    /// the transport ended for sending too much.
    @Test func oversizedValuesAreRefused() {
        let big = String(repeating: "a", count: HostLimits.roleBytes + 10)
        let role = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=1", "ROLE=\(big)", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0"]))
        #expect(role.errorClass == .oversized)
        #expect(role.error?.contains("the role file") == true)
        let state = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=0", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0",
                                    "PP_STATE_JSON=\(b64(String(repeating: " ", count: HostLimits.stateFileBytes + 1)))"]))
        #expect(state.errorClass == .oversized)
        let size = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=0", "VLT_PRESENT=0", "OVERRIDE_PRESENT=1", "OVERRIDE_KIND=file",
                                   "OVERRIDE_SIZE=\(HostLimits.managedFileBytes + 1)", "OVERRIDE_MODE=644"]))
        #expect(size.errorClass == .oversized)
        var flood = AuditRun(exitCode: 143, stdout: Data(), stderr: "", timedOut: false)
        flood.outputLimitExceeded = true
        #expect(AuditInterpreter.interpret(flood, timeoutSeconds: 10).errorClass == .oversized)
    }

    /// A link (or any non-file) at a managed path: reported as what it is, nothing read or kept,
    /// even if a host sent content anyway.
    @Test func nonRegularFilesAreReportedNotRead() throws {
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=1", "ROLE_KIND=symlink", "ROLE=root:x:0:0",
                                "OVERRIDE_PRESENT=1", "OVERRIDE_KIND=symlink", "OVERRIDE_CONTENT_B64=\(b64("root:$6$secret"))",
                                "VLT_PRESENT=1", "VLT_KIND=fifo", "PP_STATE_KIND=directory"]))
        let o = try #require(v.observed)
        #expect(o.roleKind == .symlink)
        #expect(o.role == nil)
        #expect(o.overrideKind == .symlink)
        #expect(o.overrideSHA256 == nil)
        #expect(v.overrideContent == nil)
        #expect(o.contentError?.contains("a symbolic link") == true)
        #expect(o.vaultKind == .fifo)
        #expect(o.vaultFetchError?.contains("a named pipe") == true)
        #expect(o.puppetStateError?.contains("a directory") == true)
    }

    /// A broken state file is reported as broken, not as "no state file".
    @Test(arguments: [#"{"exit_code":1e400}"#, #"{"ts":"2026-01-29T10:30:45Z"} trailing"#, #"{"success":"yes"}"#])
    func brokenStateFilesAreReported(_ text: String) throws {
        let v = ok(auditOutput(["SUDO_OK=1", "ROLE_PRESENT=0", "OVERRIDE_PRESENT=0", "VLT_PRESENT=0", "PP_STATE_KIND=file",
                                "PP_STATE_JSON=\(b64(text))"]))
        let o = try #require(v.observed)
        #expect(o.puppetStateError?.hasPrefix("the state file is broken") == true, "\(text): \(o.puppetStateError ?? "nil")")
        #expect(o.puppet.success != true)
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
