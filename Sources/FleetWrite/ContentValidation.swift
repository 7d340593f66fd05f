import FleetCore
import FleetSSH
import Foundation
import Yams

/// Checks a file before it is sent to any host.
public enum ContentValidation {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// An override file: UTF-8, `bash -n` clean, and the rules of `OverrideRules`.
    public static func checkOverride(_ content: Data) async throws(Failure) {
        guard let text = String(data: content, encoding: .utf8) else {
            throw Failure(message: "Override validation failed: the file is not valid UTF-8")
        }
        try await bashSyntax(content)
        let problems = OverrideRules.check(OverrideFile(text: text))
        if !problems.isEmpty {
            throw Failure(message: "Override validation failed:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    /// `bash -n` reads the script from stdin and only parses it.
    static func bashSyntax(_ content: Data) async throws(Failure) {
        let out: ProcessOutput
        do { out = try await ProcessRunner.run(["bash", "-n"], stdin: content, timeout: 20) } catch {
            throw Failure(message: "bash not found; cannot validate override syntax (\(error))")
        }
        guard out.exitCode != 0 else { return }
        let detail = out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "bash: ", with: "")
        throw Failure(message: "Override syntax validation failed: \(detail.isEmpty ? "syntax error" : detail)")
    }

    /// A vault.yaml: UTF-8 and exactly one YAML document.
    public static func checkVault(_ content: Data) throws(Failure) {
        guard let text = String(data: content, encoding: .utf8) else {
            throw Failure(message: "Vault YAML validation failed: the file is not valid UTF-8")
        }
        do {
            // singleRoot parses the whole stream and refuses a second document.
            _ = try Yams.Parser(yaml: text).singleRoot()
        } catch {
            // Yams appends the offending line of the file to its message; for a secrets file only
            // the first line (position and problem) may be shown.
            let first = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid YAML"
            throw Failure(message: "Vault YAML validation failed: \(first)")
        }
    }
}
