import FleetCore
import Foundation

/// Copies another state directory's content store (`overrides/` or `vault_yamls/`) into ours.
///
/// Files are stored again by their own SHA-256, so a file the Python tool named after a longer
/// prefix (a collision) or after a SHA it assumed (its W12) lands where our readers look for it.
/// Links (the names people gave vault files) are made again beside the stored file, with the
/// same name, when that name is free.
struct ContentImport {
    let source: URL
    let target: ContentStore

    struct Counts: Codable, Sendable {
        var copied = 0
        var present = 0
        var links = 0
        var problems: [String] = []
    }

    func run() -> Counts {
        var counts = Counts()
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: source.path) else { return counts }
        var links: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = source.appendingPathComponent(name).path
            guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink { links.append(name); continue }
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            guard let data = fm.contents(atPath: path) else {
                counts.problems.append("cannot read \(path)")
                continue
            }
            store(data, from: path, into: &counts)
        }
        // Links last, so the file each one names is in place.
        for name in links { link(name, into: &counts) }
        return counts
    }

    private func store(_ data: Data, from path: String, into counts: inout Counts) {
        if target.path(forSHA: Digest.sha256Hex(data)) != nil { counts.present += 1; return }
        do {
            try target.store(data)
            counts.copied += 1
        } catch {
            counts.problems.append("cannot copy \(path): \(error)")
        }
    }

    private func link(_ name: String, into counts: inout Counts) {
        let path = source.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            counts.problems.append("\(path) is a link to nothing readable; not copied")
            return
        }
        let sha = Digest.sha256Hex(data)
        if target.path(forSHA: sha) == nil { store(data, from: path, into: &counts) }
        guard let stored = target.path(forSHA: sha) else { return }
        let ours = target.directory.appendingPathComponent(name).path
        if let existing = FileManager.default.contents(atPath: ours) {
            if Digest.sha256Hex(existing) != sha { counts.problems.append("\(ours) already names another file; link \(name) not copied") }
            return
        }
        // A relative link keeps working if the state directory moves.
        if symlink(stored.lastPathComponent, ours) == 0 {
            counts.links += 1
        } else {
            counts.problems.append("cannot make the link \(ours): \(String(cString: strerror(errno)))")
        }
    }
}
