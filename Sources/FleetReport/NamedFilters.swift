import Foundation
import Yams

/// Saved queries: `<name>.yaml` files holding `query:` and an optional `description:`, in
/// `configs/filters/` of the current directory and in `<state>/filters/`.
public struct NamedFilter: Sendable, Equatable {
    public var name: String
    public var query: String
    public var description: String
    public var path: String

    public init(name: String, query: String, description: String, path: String) {
        self.name = name; self.query = query; self.description = description; self.path = path
    }
}

public enum NamedFilters {
    /// The filters found in `directories`, later directories not replacing earlier names.
    public static func load(from directories: [String]) -> [NamedFilter] {
        var out: [String: NamedFilter] = [:]
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in names.sorted() where file.hasSuffix(".yaml") {
                let name = String(file.dropLast(5))
                guard out[name] == nil, let f = try? read(path: dir + "/" + file, name: name) else { continue }
                out[name] = f
            }
        }
        return out.keys.sorted().map { out[$0]! }
    }

    /// `NAME_OR_PATH`: an existing file, else a name in the directories.
    public static func resolve(_ nameOrPath: String, directories: [String]) throws(NamedFilterError) -> NamedFilter {
        if FileManager.default.fileExists(atPath: nameOrPath) {
            return try read(path: nameOrPath, name: ((nameOrPath as NSString).lastPathComponent as NSString).deletingPathExtension)
        }
        for dir in directories {
            let path = "\(dir)/\(nameOrPath).yaml"
            if FileManager.default.fileExists(atPath: path) { return try read(path: path, name: nameOrPath) }
        }
        let known = load(from: directories).map(\.name)
        throw NamedFilterError(message: "no filter file or named filter '\(nameOrPath)'" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
    }

    static func read(path: String, name: String) throws(NamedFilterError) -> NamedFilter {
        guard let data = FileManager.default.contents(atPath: path) else { throw NamedFilterError(message: "could not read filter file: \(path)") }
        let node: Node?
        do { node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) } catch {
            throw NamedFilterError(message: "could not load filter file \(path): \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let mapping = node?.mapping else { throw NamedFilterError(message: "filter file is not a mapping: \(path)") }
        guard let query = mapping["query"]?.scalar?.string.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            throw NamedFilterError(message: "filter file missing 'query' field: \(path)")
        }
        return NamedFilter(name: name, query: query, description: mapping["description"]?.scalar?.string ?? "", path: path)
    }
}

public struct NamedFilterError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
