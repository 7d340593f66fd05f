import Foundation

/// A host list file (`*.list`): one host per line, `#` comments, and the `# fqdn: SUFFIX`
/// directive that appends a domain to every entry without a dot.
public struct HostListFile: Sendable {
    public let path: String
    public let hosts: [HostTarget]

    /// Parses the text of a list file. Every entry is validated like a command-line host; the
    /// first bad entry is reported with its line number. Inline comments (` # ...`) are dropped,
    /// since `#` cannot be part of a host name. The last `# fqdn:` directive wins and applies to
    /// the whole file, as in the old tool; without one, bare names expand like command-line
    /// short names (`ms1` → `t-linux64-ms-001.test.releng.mdc1.mozilla.com`).
    public static func parse(text: String, path: String) throws(HostListError) -> HostListFile {
        var suffix: String?
        var entries: [(line: Int, value: String)] = []
        // Any line ending counts: LF, CRLF (a list saved on Windows) or CR.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if let directive = fqdnDirective(line) { suffix = directive }
                continue
            }
            var value = line
            if let hash = value.firstIndex(of: "#") {
                value = value[..<hash].trimmingCharacters(in: .whitespaces)
            }
            entries.append((index + 1, value))
        }
        var hosts: [HostTarget] = []
        for entry in entries {
            do {
                var target = try HostTarget.parse(entry.value)
                if let suffix, !target.host.contains("."), !IPAddress.isIPv6(target.host) {
                    target = try HostTarget.parse(target.description + suffix)
                }
                // Bare names the directive did not cover expand as on the command line.
                hosts.append(target.expandingShortName())
            } catch {
                throw .badEntry(path: path, line: entry.line, error)
            }
        }
        if hosts.isEmpty { throw .empty(path) }
        return HostListFile(path: path, hosts: hosts)
    }

    public static func load(path: String) throws(HostListError) -> HostListFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw .unreadable(path, "it is a directory")
            }
            if FileManager.default.fileExists(atPath: path) { throw .unreadable(path, "permission denied") }
            throw .notFound(path)
        }
        return try parse(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// `# fqdn: example.com` or `#fqdn:.example.com` → `.example.com`.
    static func fqdnDirective(_ line: String) -> String? {
        let body = line.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
        guard body.hasPrefix("fqdn:") else { return nil }
        let value = body.dropFirst(5).trimmingCharacters(in: .whitespaces)
        guard let word = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { return nil }
        return word.hasPrefix(".") ? String(word) : "." + word
    }
}

public enum HostListError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case unreadable(String, String)
    case empty(String)
    case badEntry(path: String, line: Int, HostNameError)

    public var description: String {
        switch self {
        case .notFound(let p): return "Host list file not found: \(p)"
        case .unreadable(let p, let why): return "Cannot read host list file \(p): \(why)"
        case .empty(let p): return "No valid hosts found in \(p)"
        case .badEntry(let p, let line, let error): return "\(p):\(line): \(error)"
        }
    }
}

/// The hosts named on a command line, after reading list files, splitting commas, expanding
/// short names and dropping duplicates (first occurrence wins, order kept).
public struct HostSelection: Sendable {
    public let hosts: [HostTarget]
    /// The list file the hosts came from, when one was given.
    public let listFile: String?
    /// Short names that were expanded, for an informational line on stderr.
    public let expansions: [(from: String, to: String)]
    /// How many duplicate entries were dropped.
    public let duplicatesDropped: Int

    /// True when the user named a list file or more than one host: the batch output is used.
    public var isBatch: Bool { listFile != nil || hosts.count > 1 }

    /// Resolves `HOST_OR_FILE...` arguments. An argument is a list file when it ends in `.list`
    /// or names an existing regular file; a file and bare hosts cannot be mixed, and only one file
    /// may be given. Everything is validated before anything is contacted.
    public static func resolve(
        _ arguments: [String],
        isRegularFile: (String) -> Bool = HostSelection.isRegularFile,
        loadList: (String) throws(HostListError) -> HostListFile = { path throws(HostListError) in try HostListFile.load(path: path) }
    ) throws(HostSelectionError) -> HostSelection {
        let pieces = arguments.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true).map(String.init) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if pieces.isEmpty { throw .noHosts }
        let files = pieces.filter { $0.hasSuffix(".list") || isRegularFile($0) }
        if let file = files.first {
            if files.count > 1 { throw .severalFiles(files) }
            if pieces.count > 1 { throw .mixed(file: file) }
            let list: HostListFile
            do { list = try loadList(file) } catch { throw .list(error) }
            let (unique, dropped) = deduplicate(list.hosts)
            return HostSelection(hosts: unique, listFile: file, expansions: [], duplicatesDropped: dropped)
        }
        var hosts: [HostTarget] = []
        var expansions: [(String, String)] = []
        for piece in pieces {
            let target: HostTarget
            do { target = try HostTarget.parse(piece) } catch { throw .host(error) }
            let expanded = target.expandingShortName()
            if expanded != target { expansions.append((piece, expanded.description)) }
            hosts.append(expanded)
        }
        let (unique, dropped) = deduplicate(hosts)
        return HostSelection(hosts: unique, listFile: nil, expansions: expansions, duplicatesDropped: dropped)
    }

    /// A host list given as text (standard input): read like a list file named `name`.
    public static func resolve(listText: String, name: String) throws(HostSelectionError) -> HostSelection {
        let list: HostListFile
        do { list = try HostListFile.parse(text: listText, path: name) } catch { throw .list(error) }
        let (unique, dropped) = deduplicate(list.hosts)
        return HostSelection(hosts: unique, listFile: name, expansions: [], duplicatesDropped: dropped)
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    static func deduplicate(_ hosts: [HostTarget]) -> ([HostTarget], Int) {
        var seen = Set<HostTarget>()
        let unique = hosts.filter { seen.insert($0).inserted }
        return (unique, hosts.count - unique.count)
    }
}

public enum HostSelectionError: Error, CustomStringConvertible {
    case noHosts
    case severalFiles([String])
    case mixed(file: String)
    case list(HostListError)
    case host(HostNameError)

    public var description: String {
        switch self {
        case .noHosts: return "At least one host or host list file is required."
        case .severalFiles: return "Only one host list file may be specified."
        case .mixed(let file):
            return "Cannot mix host file ('\(file)') with bare hostnames. Pass either a file or one or more hostnames, not both."
        case .list(let e): return e.description
        case .host(let e): return e.description
        }
    }
}
