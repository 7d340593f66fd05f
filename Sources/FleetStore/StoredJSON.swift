import Foundation

/// How records are written as JSON everywhere fleetroll stores them (database and audit log):
/// sorted keys, so lines diff well and match the old tool's key order.
enum StoredJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}

extension StoredJSON {
    /// Decodes many stored records at once, spread over the cores: a report over thousands of
    /// hosts spends most of its time here.
    static func decodeAll<T: Decodable & Sendable>(_ texts: [String], as type: T.Type,
                                                   chunksWanted: Int = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4) throws -> [T] {
        guard texts.count > 256 else { return try texts.map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) } }
        let size = (texts.count + chunksWanted - 1) / chunksWanted
        // As many chunks as it takes to cover the texts with chunks of `size`, none empty.
        let chunks = (texts.count + size - 1) / size
        let results = Results<T>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (c * size)..<min(texts.count, (c + 1) * size)
            let decoder = JSONDecoder()
            results.set(c, Result { try range.map { try decoder.decode(T.self, from: Data(texts[$0].utf8)) } })
        }
        return try results.all().flatMap { try $0.get() }
    }
}

/// Per-chunk results written from several threads, each slot by one thread only.
private final class Results<T: Sendable>: @unchecked Sendable {
    private var slots: [Result<[T], Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<[T], Error>) { lock.withLock { slots[i] = r } }

    func all() -> [Result<[T], Error>] { lock.withLock { slots.map { $0 ?? .success([]) } } }
}
