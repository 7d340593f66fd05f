import FleetCore
import Foundation

/// Keeps file contents seen on hosts (override files, vault.yaml) by SHA-256, named by its first
/// 12 hex digits, growing by 4 digits when two different contents share a prefix.
public struct ContentStore: Sendable {
    public static let prefixLength = 12
    public static let prefixStep = 4

    public let directory: URL
    /// File mode of stored files: 0600 for secrets, 0644 otherwise.
    public let fileMode: Int

    public init(directory: URL, fileMode: Int) {
        self.directory = directory
        self.fileMode = fileMode
    }

    /// Stores `content` (idempotent) and returns its path.
    @discardableResult
    public func store(_ content: Data) throws -> URL {
        let sha = Digest.sha256Hex(content)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: fileMode == 0o600 ? 0o700 : 0o755])
        var length = Self.prefixLength
        while length <= 64 {
            let url = directory.appendingPathComponent(String(sha.prefix(length)))
            if let existing = FileManager.default.contents(atPath: url.path) {
                if existing == content { return url }
                length += Self.prefixStep
                continue
            }
            try writeAtomically(content, to: url)
            return url
        }
        throw ContentStoreError.tooManyCollisions(sha)
    }

    /// The stored file whose content has this SHA-256, wherever collisions put it.
    public func path(forSHA sha: String) -> URL? {
        var length = Self.prefixLength
        while length <= 64 {
            let url = directory.appendingPathComponent(String(sha.prefix(length)))
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            if Digest.sha256Hex(data) == sha { return url }
            length += Self.prefixStep
        }
        return nil
    }

    /// SHA-256 sums of every stored file whose name is a valid prefix of its own content's sum.
    public func storedSHAs() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.compactMap { name -> String? in
            guard name.count >= Self.prefixLength, !name.hasPrefix("."),
                  let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            let sha = Digest.sha256Hex(data)
            return sha.hasPrefix(name) ? sha : nil
        }
    }

    /// Writes through a temporary file in the same directory and renames, so readers never see
    /// half a file; the temporary file is removed on any error.
    private func writeAtomically(_ content: Data, to url: URL) throws {
        let tmp = directory.appendingPathComponent(".tmp_\(UUID().uuidString)")
        // open(2) with the final mode, so a secret is never readable by others, not even briefly.
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(fileMode))
        guard fd >= 0 else { throw ContentStoreError.writeFailed(tmp.path, String(cString: strerror(errno))) }
        let code = writeAll(fd, content)
        var failure: String? = code == 0 ? nil : String(cString: strerror(code))
        if failure == nil, fchmod(fd, mode_t(fileMode)) != 0 || fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(tmp.path, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp.path)
            throw ContentStoreError.writeFailed(url.path, failure)
        }
    }
}

public enum ContentStoreError: Error, CustomStringConvertible {
    case tooManyCollisions(String)
    case writeFailed(String, String)
    case missingDirectory(String)

    public var description: String {
        switch self {
        case .tooManyCollisions(let sha): return "Unable to store content file: too many collisions for SHA \(sha)"
        case .writeFailed(let p, let why): return "could not write \(p): \(why)"
        case .missingDirectory(let p): return "directory not found: \(p)"
        }
    }
}

extension ContentStore {
    /// A stored file's text, by its content's SHA-256.
    public func text(forSHA sha: String) -> String? {
        guard let url = path(forSHA: sha), let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Names people gave stored files: links in the directory pointing at a content file, by
    /// the SHA-256 of what they point at (the first name, in name order, when there are several).
    public func linkNames() -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [:] }
        var out: [String: String] = [:]
        for name in names.sorted() where !name.hasPrefix(".") {
            let link = directory.appendingPathComponent(name).path
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil,
                  let data = FileManager.default.contents(atPath: link) else { continue }
            let sha = Digest.sha256Hex(data)
            if out[sha] == nil { out[sha] = name }
        }
        return out
    }
}
