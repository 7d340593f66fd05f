import FleetCore
import Foundation

/// Finding stored contents by what people type: a SHA-256 prefix or a two-word humanhash.
public enum ContentLookup: Equatable, Sendable {
    case found(URL)
    /// More than one file matches; each entry reads `<sha prefix> (<file name>)` or just the name.
    case ambiguous([String])
    case notFound
}

extension ContentStore {
    /// Looks `key` up: first as a prefix of stored file names (case-insensitive hex), then as
    /// the humanhash of a stored file's SHA-256. Temporary files, dotfiles and symlinks are never
    /// candidates, and an empty key matches nothing.
    public func lookup(_ key: String) throws -> ContentLookup {
        let key = key.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { return .notFound }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ContentStoreError.missingDirectory(directory.path)
        }
        let files = candidates()
        if key.allSatisfy(\.isHexDigit) {
            let lower = key.lowercased()
            let matches = files.filter { $0.lastPathComponent.hasPrefix(lower) }
            if matches.count == 1 { return .found(matches[0]) }
            if matches.count > 1 { return .ambiguous(matches.map(\.lastPathComponent).sorted()) }
        }
        // Hashing every stored file is only worth it for something shaped like a humanhash.
        guard Humanhash.looksLikeHumanhash(key.lowercased()) else { return .notFound }
        let hashed = files.compactMap { url -> (String, URL)? in
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            let sha = Digest.sha256Hex(data)
            return (try? Humanhash.humanize(sha)) == key.lowercased() ? (sha, url) : nil
        }
        if hashed.count == 1 { return .found(hashed[0].1) }
        if hashed.count > 1 {
            return .ambiguous(hashed.sorted { ($0.0, $0.1.lastPathComponent) < ($1.0, $1.1.lastPathComponent) }
                .map { "\($0.0.prefix(12)) (\($0.1.lastPathComponent))" })
        }
        return .notFound
    }

    /// Regular files named like content (hex), never temporary files or links.
    func candidates() -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { !$0.hasPrefix(".") && $0.allSatisfy(\.isHexDigit) }.compactMap { name in
            let url = directory.appendingPathComponent(name)
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: url.path),
                  attrs[.type] as? FileAttributeType == .typeRegular else { return nil }
            return url
        }
    }
}
