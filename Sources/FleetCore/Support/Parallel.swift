import Foundation

/// Runs one job per index, at most `width` at a time, and hands back the results in index order.
///
/// `admit` is asked just before each job would start; a job it refuses gets `skipped(index)`
/// instead (Ctrl-C uses this to stop starting hosts). `progress` is called after every job with
/// the number done so far.
public func runBounded<T: Sendable>(
    count: Int, width: Int,
    admit: () -> Bool = { true },
    skipped: (Int) -> T,
    progress: (Int) -> Void = { _ in },
    job: @escaping @Sendable (Int) async -> T
) async -> [T] {
    var results = [T?](repeating: nil, count: count)
    await withTaskGroup(of: (Int, T).self) { group in
        var next = 0
        var done = 0
        func startNext() {
            while next < count {
                let index = next
                next += 1
                guard admit() else {
                    results[index] = skipped(index)
                    done += 1
                    continue
                }
                group.addTask { (index, await job(index)) }
                return
            }
        }
        for _ in 0..<min(max(1, width), count) { startNext() }
        for await (index, result) in group {
            results[index] = result
            done += 1
            progress(done)
            startNext()
        }
    }
    return results.map { $0! }
}

/// `items.map(transform)` spread over the cores in chunks, in order: for CPU-bound work over
/// thousands of items (decoding stored records, building report rows). Small inputs are mapped
/// in place, where threads would cost more than they save.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threshold: Int = 256, chunks wanted: Int? = nil,
                                                  _ transform: @Sendable (T) throws -> R) throws -> [R] {
    guard items.count > threshold else { return try items.map(transform) }
    let wanted = max(1, wanted ?? ProcessInfo.processInfo.activeProcessorCount * 4)
    let size = (items.count + wanted - 1) / wanted
    // As many chunks as it takes to cover the items with chunks of `size`, none empty.
    let chunks = (items.count + size - 1) / size
    let results = ChunkResults<R>(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let range = (c * size)..<min(items.count, (c + 1) * size)
        results.set(c, Result { try range.map { try transform(items[$0]) } })
    }
    return try results.all().flatMap { try $0.get() }
}

/// The non-throwing form.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threshold: Int = 256, _ transform: @Sendable (T) -> R) -> [R] {
    // The closure cannot throw, so neither can the call.
    try! parallelMap(items, threshold: threshold) { (item: T) throws -> R in transform(item) }
}

/// Per-chunk results written from several threads, each slot by one thread only.
private final class ChunkResults<T: Sendable>: @unchecked Sendable {
    private var slots: [Result<[T], Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<[T], Error>) { lock.withLock { slots[i] = r } }

    func all() -> [Result<[T], Error>] { lock.withLock { slots.map { $0 ?? .success([]) } } }
}
