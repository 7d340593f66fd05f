import Foundation
import Yams

/// Saved queries: `<name>.yaml` files holding `query:` and an optional `description:`, in the
/// directories a command names (`[filters] directory`, `<state>/filters/`), then the ones shipped
/// inside fleetroll (`configs/filters/`, embedded: found wherever fleetroll runs). An earlier
/// place wins, so a team can change a shipped filter by saving one of the same name.
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
    /// What `path` says of a shipped filter.
    public static let builtInPath = "(shipped with fleetroll)"

    /// The filters found in `directories` and the shipped ones, earlier places not replaced by later ones.
    public static func load(from directories: [String], builtIn: Bool = true) -> [NamedFilter] {
        var out: [String: NamedFilter] = [:]
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in names.sorted() where file.hasSuffix(".yaml") {
                let name = String(file.dropLast(5))
                guard out[name] == nil, let f = try? read(path: dir + "/" + file, name: name) else { continue }
                out[name] = f
            }
        }
        if builtIn {
            for (name, text) in BuiltInFilters.files where out[name] == nil {
                out[name] = try? parse(text, path: builtInPath, name: name)
            }
        }
        return out.keys.sorted().map { out[$0]! }
    }

    /// `NAME_OR_PATH`: an existing file, else a name in the directories, else a shipped filter.
    public static func resolve(_ nameOrPath: String, directories: [String], builtIn: Bool = true) throws(NamedFilterError) -> NamedFilter {
        if FileManager.default.fileExists(atPath: nameOrPath) {
            return try read(path: nameOrPath, name: ((nameOrPath as NSString).lastPathComponent as NSString).deletingPathExtension)
        }
        for dir in directories {
            let path = "\(dir)/\(nameOrPath).yaml"
            if FileManager.default.fileExists(atPath: path) { return try read(path: path, name: nameOrPath) }
        }
        if builtIn, let shipped = BuiltInFilters.files.first(where: { $0.name == nameOrPath }) {
            return try parse(shipped.text, path: builtInPath, name: nameOrPath)
        }
        let known = load(from: directories, builtIn: builtIn).map(\.name)
        let places = directories.map { "\($0)/\(nameOrPath).yaml" } + (builtIn ? ["the filters shipped with fleetroll"] : [])
        throw NamedFilterError(message: "no filter file or named filter '\(nameOrPath)': looked for the file \(nameOrPath), then in "
                               + places.joined(separator: ", ") + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
    }

    static func read(path: String, name: String) throws(NamedFilterError) -> NamedFilter {
        guard let data = FileManager.default.contents(atPath: path) else { throw NamedFilterError(message: "could not read filter file: \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), path: path, name: name)
    }

    static func parse(_ text: String, path: String, name: String) throws(NamedFilterError) -> NamedFilter {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
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
