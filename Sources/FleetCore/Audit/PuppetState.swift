import Foundation

/// What the last puppet run on a host recorded about itself: the host's
/// `last_run_metadata.json` (schema_version 1), or the older puppet YAML summaries.
///
/// Any field may be missing, JSON `null`, or the Windows placeholder `"NA"`. Otherwise each value
/// must have the type the schema gives it (as host-kit's verify-state-file.sh checks): a value of
/// another type (`"success": "yes"`) is not guessed at, it is left out and reported.
public struct PuppetState: Equatable, Sendable {
    public var ts: String?
    public var lastRunEpoch: Int?
    public var success: Bool?
    public var exitCode: Int?
    public var durationS: Int?
    public var role: String?
    public var gitRepo: String?
    public var gitBranch: String?
    public var gitSHA: String?
    public var gitDirty: Bool?
    public var overrideSHA: String?
    public var vaultSHA: String?

    public init() {}

    public var isEmpty: Bool { self == PuppetState() }

    /// Parses the state file. Returns nil when the bytes are not a JSON object.
    public static func parseJSON(_ data: Data) -> PuppetState? {
        let (state, problems) = read(data)
        return problems.first == notJSON ? nil : state
    }

    static let notJSON = "it is not a JSON object (invalid JSON, text after the object, or a number out of range)"

    /// Parses the state file, with what is wrong with it: the fields that have their schema
    /// type, and one problem per field that does not (or the reason nothing could be read).
    public static func read(_ data: Data) -> (state: PuppetState, problems: [String]) {
        guard case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return (PuppetState(), [notJSON]) }
        var problems: [String] = []
        func field<T>(_ key: String, _ type: String, _ get: (JSONValue) -> T?) -> T? {
            guard let v = o[key], v != .null, v != .string("NA") else { return nil }
            if let t = get(v) { return t }
            problems.append("\(key) is \(v.shortText), not \(type)")
            return nil
        }
        func string(_ key: String) -> String? { field(key, "a string") { if case .string(let s) = $0 { return s } else { return nil } } }
        func bool(_ key: String) -> Bool? { field(key, "true or false") { if case .bool(let b) = $0 { return b } else { return nil } } }
        func int(_ key: String) -> Int? { field(key, "a whole number") { $0.wholeNumber } }
        if let version = o["schema_version"], version != .number(1) { problems.append("schema_version is \(version.shortText), not 1") }
        var s = PuppetState()
        s.ts = string("ts")
        s.lastRunEpoch = s.ts.flatMap(Timestamp.parse).map { Int($0.timeIntervalSince1970) }
        s.success = bool("success")
        s.exitCode = int("exit_code")
        s.durationS = int("duration_s")
        s.role = string("role")
        s.gitRepo = string("git_repo")
        s.gitBranch = string("git_branch")
        s.gitSHA = string("git_sha")
        s.gitDirty = bool("git_dirty")
        s.overrideSHA = string("override_sha")
        s.vaultSHA = string("vault_sha")
        return (s, problems)
    }

    /// Fills every field that is still nil from the flat `PP_*` keys older audit scripts printed,
    /// and from the puppet YAML summary lines our script sends when no state file exists.
    public mutating func fillFromLegacy(_ fields: [String: String]) {
        func int(_ k: String) -> Int? { fields[k].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        if ts == nil { ts = fields["PP_STATE_TS"] }
        if lastRunEpoch == nil {
            lastRunEpoch = int("PP_LAST_RUN_EPOCH")
                ?? fields["PP_REPORT_TIME"].flatMap { Timestamp.parse(unquote($0)) }.map { Int($0.timeIntervalSince1970) }
                ?? int("PP_SUMMARY_LAST_RUN")
        }
        if success == nil {
            if let v = fields["PP_SUCCESS"] { success = v == "1" }
            else if let status = fields["PP_REPORT_STATUS"] { success = unquote(status) != "failed" }
            else if let failures = int("PP_SUMMARY_FAILURES") { success = failures == 0 }
        }
        if gitSHA == nil { gitSHA = fields["PP_GIT_SHA"] }
        if gitRepo == nil { gitRepo = fields["PP_GIT_REPO"] }
        if gitBranch == nil { gitBranch = fields["PP_GIT_BRANCH"] }
        if gitDirty == nil, let v = fields["PP_GIT_DIRTY"] { gitDirty = v == "1" }
        if overrideSHA == nil { overrideSHA = fields["PP_OVERRIDE_SHA_APPLIED"] }
        if vaultSHA == nil { vaultSHA = fields["PP_VAULT_SHA_APPLIED"] }
        if role == nil { role = fields["PP_ROLE"] }
        if exitCode == nil { exitCode = int("PP_EXIT_CODE") }
        if durationS == nil { durationS = int("PP_DURATION_S") }
    }

    private func unquote(_ s: String) -> String {
        s.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    }
}

/// A JSON value decoded without a schema, for files whose types are not trustworthy.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    // Lenient readings, for records the Python tool stored (PythonRecords), which kept values
    // as they came. A host's state file is read strictly (`PuppetState.read`).

    /// Strings as they are; numbers in their shortest form; `null` and `"NA"` as nil.
    var stringValue: String? {
        switch self {
        case .string(let s): return s == "NA" ? nil : s
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): return String(b)
        default: return nil
        }
    }

    var intValue: Int? {
        switch self {
        case .number(let n): return n.isFinite && abs(n) < 1e15 ? Int(n) : nil
        case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    var boolValue: Bool? {
        switch self {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: return nil
            }
        case .number(let n): return n == 0 ? false : (n == 1 ? true : nil)
        default: return nil
        }
    }

    /// A JSON number that is a whole number fleetroll can hold.
    var wholeNumber: Int? {
        guard case .number(let n) = self, n.isFinite, n == n.rounded(), abs(n) < 1e15 else { return nil }
        return Int(n)
    }

    /// The value as a message shows it: short, on one line.
    var shortText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s): return "\"" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
