import FleetCore
import FleetSSH
import FleetWrite
import Foundation
import Testing

@Suite("Checking files before they are sent")
struct ValidationTests {
    @Test func unterminatedQuoteFailsTheSyntaxCheck() async {
        do {
            try await ContentValidation.checkOverride(Data("PUPPET_REPO='https://example.com\n".utf8))
            Issue.record("accepted a broken file")
        } catch {
            #expect(error.message.hasPrefix("Override syntax validation failed:"))
            #expect(error.message.contains("unexpected EOF"))
        }
    }

    @Test func ruleViolationsNameTheLine() async {
        do {
            try await ContentValidation.checkOverride(Data("# x\nPUPPET_BRANCH=ok\nPUPPET_MAIL=nope\n".utf8))
            Issue.record("accepted a bad mail")
        } catch {
            #expect(error.message.contains("line 3: PUPPET_MAIL must be a valid email address"))
        }
    }

    @Test func aGoodOverridePasses() async throws {
        try await ContentValidation.checkOverride(Data(ScenarioText.override.utf8))
    }

    @Test func invalidUTF8IsRefused() async {
        await #expect(throws: ContentValidation.Failure.self) {
            try await ContentValidation.checkOverride(Data([0xFF, 0xFE, 0x41]))
        }
        #expect(throws: ContentValidation.Failure.self) { try ContentValidation.checkVault(Data([0xFF])) }
    }

    /// Duplicate keys are refused (the old tool silently kept the last one).
    @Test(arguments: ["key: value1: value2: value3\n", "---\na: 1\n---\nb: 2\n", "a:\n\t- tab\n", "[unclosed\n", "a: 1\na: 2\n"])
    func badVaultYAML(_ text: String) {
        #expect(throws: ContentValidation.Failure.self) { try ContentValidation.checkVault(Data(text.utf8)) }
    }

    @Test func vaultErrorsNeverQuoteTheFile() {
        do {
            try ContentValidation.checkVault(Data("---\nname: x\ntoken: s3cr3t-value: broken\n".utf8))
            Issue.record("accepted broken YAML")
        } catch {
            #expect(!error.message.contains("s3cr3t"), "\(error.message)")
            #expect(error.message.hasPrefix("Vault YAML validation failed:"))
        }
    }

    @Test(arguments: ["---\nsecret: abc\nlist: [1, 2]\n", "just a scalar\n"])
    func goodVaultYAML(_ text: String) throws {
        try ContentValidation.checkVault(Data(text.utf8))
    }

    /// An empty vault.yaml would leave a host without its secrets: refused, comments-only too.
    @Test(arguments: ["", "# nothing yet\n", "---\n"])
    func emptyVaultYAMLIsRefused(_ text: String) {
        #expect(throws: ContentValidation.Failure.self) { try ContentValidation.checkVault(Data(text.utf8)) }
    }

    @Test(arguments: ["", "\n\n", "# PUPPET_BRANCH=x\n  # nothing else\n"])
    func emptyOverrideIsRefused(_ text: String) async {
        await #expect(throws: ContentValidation.Failure.self) { try await ContentValidation.checkOverride(Data(text.utf8)) }
    }

    @Test func ownershipValuesAreChecked() {
        #expect(FileOwnership(mode: "0644").problem == nil)
        #expect(FileOwnership(mode: "644", owner: "puppet", group: "wheel").problem == nil)
        #expect(FileOwnership(mode: "0648").problem != nil)
        #expect(FileOwnership(mode: "0644; rm -rf /").problem != nil)
        #expect(FileOwnership(mode: "0644", owner: "root'; id; '").problem != nil)
        #expect(FileOwnership(mode: "0644", owner: "root", group: "$(id)").problem != nil)
    }

    @Test func writeScriptsAreValidShell() throws {
        let backup = BackupPolicy(enabled: true, suffix: WritePlan.backupSuffix())
        let scripts = [
            WriteFileScript(file: .override, sha256: Digest.sha256Hex(Data()), ownership: FileOwnership(mode: "0644"),
                            backup: backup, guardExisting: true).body,
            WriteFileScript(file: .vault, sha256: Digest.sha256Hex(Data()), ownership: FileOwnership(mode: "0640", group: "root"),
                            backup: backup, guardExisting: false).body,
            RemoveFileScript(file: .override, backup: backup).body,
        ]
        for body in scripts {
            for shell in [["dash", "-n"], ["bash", "--posix", "-n"]] {
                let out = try ProcessRunner.runBlocking(shell + ["-c", body], stdin: nil, timeout: 10)
                #expect(out.exitCode == 0, "\(shell): \(out.stderrText)")
            }
        }
    }

    @Test func backupSuffixFormat() {
        #expect(WritePlan.backupSuffix(Date(timeIntervalSince1970: 1_769_488_200)) == "20260127T043000Z")
    }
}

enum ScenarioText {
    static let override = """
        # puppet overrides
        PUPPET_REPO="https://github.com/aerickson/ronin_puppet.git"
        PUPPET_BRANCH="relops-1234-talos-update"
        PUPPET_MAIL="aerickson@mozilla.com"
        # WORKER_TYPE_OVERRIDE='gecko-t-linux-talos-1804-staging'

        """
}

@Suite("Validation agrees with the consumers")
struct ConsumerAgreementTests {
    /// `1` and `0x1` (or `yes` and `true`) are the same key once YAML resolves them.
    @Test(arguments: ["1: a\n0x1: b\n", "yes: a\ntrue: b\n", "top:\n  null: a\n  ~: b\n", "- 1: a\n  0x1: b\n", "0o10: a\n8: b\n"])
    func keysThatResolveAlikeAreDuplicates(_ text: String) {
        do {
            try ContentValidation.checkVault(Data(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains("same key"), "\(error.message)")
            #expect(!error.message.contains(": a"), "values are never quoted")
        }
    }

    @Test(arguments: ["1: a\n'1': b\n", "a: 1\nb: 1\n", "x:\n  k: 1\ny:\n  k: 2\n"])
    func differentKeysPass(_ text: String) throws {
        try ContentValidation.checkVault(Data(text.utf8))
    }

    /// Carriage returns are refused before bash -n runs, naming the line and quoting nothing.
    @Test(arguments: ["PUPPET_BRANCH=\"x\"\r\nPUPPET_MAIL=\"a@b.org\"\r\n", "PUPPET_BRANCH=x\r$(touch /tmp/pwned)\r"])
    func carriageReturnsAreRefused(_ text: String) async {
        do {
            try await ContentValidation.checkOverride(Data(text.utf8))
            Issue.record("accepted a file with CR")
        } catch {
            #expect(error.message.contains("line 1:"), "\(error.message)")
            #expect(!error.message.contains("PUPPET_"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
    }

    @Test func aCommandAfterAnAssignmentIsRefused() async {
        do {
            try await ContentValidation.checkOverride(Data("PUPPET_BRANCH=relops-999 touch X\n".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("line 1: PUPPET_BRANCH=… is followed by the command 'touch'"), "\(error.message)")
        }
    }
}
