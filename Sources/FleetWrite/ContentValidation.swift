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
        // Before bash -n: its messages would quote the lines, carriage returns and all.
        if let problem = OverrideRules.lineEndingProblem(text) {
            throw Failure(message: "Override validation failed:\n  \(problem)")
        }
        // An empty override would point puppet nowhere in particular; removing it is its own command.
        let meaningful = text.split(whereSeparator: \.isNewline).contains {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }
        guard meaningful else {
            throw Failure(message: "Override validation failed: the file is empty or holds only comments "
                          + "(to remove a host's override, use host-unset-override)")
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
        let root: Node?
        do {
            // singleRoot parses the whole stream and refuses a second document.
            root = try Yams.Parser(yaml: text).singleRoot()
        } catch {
            // Yams appends the offending line of the file to its message; for a secrets file only
            // the first line (position and problem) may be shown.
            let first = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid YAML"
            throw Failure(message: "Vault YAML validation failed: \(first)")
        }
        // An empty file (or only comments) parses as no document: a host given it would lose its secrets.
        guard let root, !(root.scalar.map { ["", "~", "null", "Null", "NULL"].contains($0.string) } ?? false) else {
            throw Failure(message: "Vault YAML validation failed: the file is empty (no YAML document in it)")
        }
        if let problem = duplicateKey(in: root) { throw Failure(message: "Vault YAML validation failed: \(problem)") }
    }

    /// A key that repeats an earlier key of the same mapping once YAML has resolved both (`1` and
    /// `0x1` are both the integer 1, `yes` and `true` both true): the YAML reader on the host keeps
    /// only the last one. Yams compares keys as written, so it misses these. Only positions are
    /// named, never values.
    static func duplicateKey(in node: Node) -> String? {
        switch node {
        case .mapping(let mapping):
            var seen: [String: Mark?] = [:]
            for (key, value) in mapping {
                let resolved = resolvedKey(key)
                if let first = seen[resolved] {
                    let here = key.mark.map { "line \($0.line), column \($0.column)" } ?? "a later line"
                    let there = first.map { "line \($0.line)" } ?? "an earlier line"
                    return "the key at \(here) is the same key as the one at \(there) once YAML resolves them; only the last would count"
                }
                seen[resolved] = key.mark
                if let inner = duplicateKey(in: value) { return inner }
            }
        case .sequence(let sequence):
            for element in sequence { if let inner = duplicateKey(in: element) { return inner } }
        default:
            break
        }
        return nil
    }

    /// A key as YAML resolves it: its type and its value.
    static func resolvedKey(_ key: Node) -> String {
        guard key.scalar != nil else { return "node:\(key)" }
        // The tag's description is its resolved name (Tag.name is not public).
        let tag = key.tag.description
        switch tag {
        case Tag.Name.int.rawValue: if let v = key.int { return "int:\(v)" }
        case Tag.Name.float.rawValue: if let v = key.float { return "float:\(v)" }
        case Tag.Name.bool.rawValue: if let v = key.bool { return "bool:\(v)" }
        case Tag.Name.null.rawValue: return "null"
        case Tag.Name.timestamp.rawValue: if let v = key.timestamp { return "timestamp:\(v.timeIntervalSince1970)" }
        default: break
        }
        return "\(tag):\(key.string ?? "")"
    }
}
