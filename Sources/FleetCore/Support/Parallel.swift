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
/// in place, where threads would cost more than they save. Inlinable, so a caller's item and
/// result types are known where it runs (no generic copies of large items).
@inlinable
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threshold: Int = 256, chunks wanted: Int? = nil,
                                                  _ transform: @Sendable (T) throws -> R) throws -> [R] {
    guard items.count > threshold else { return try items.map(transform) }
    let wanted = max(1, wanted ?? ProcessInfo.processInfo.activeProcessorCount * 4)
    let size = (items.count + wanted - 1) / wanted
    // As many chunks as it takes to cover the items with chunks of `size`, none empty.
    let chunks = (items.count + size - 1) / size
    let outcomes = ChunkOutcomes(count: chunks)
    // Items are read where they lie and results made where they stay: a report's items and rows
    // are large values, and a copy of one costs a reference count for every string in it.
    return try items.withUnsafeBufferPointer { input in
        let source = SharedBuffer(base: input.baseAddress!)
        return try Array(unsafeUninitializedCapacity: items.count) { buffer, initialized in
            let target = SharedBuffer(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = (c * size)..<min(items.count, (c + 1) * size)
                var i = range.lowerBound
                do {
                    while i < range.upperBound {
                        (target.base + i).initialize(to: try transform(source.base[i]))
                        i += 1
                    }
                    outcomes.set(c, made: range.count, error: nil)
                } catch {
                    outcomes.set(c, made: i - range.lowerBound, error: error)
                }
            }
            let (made, error) = outcomes.all()
            if let error {
                for (c, n) in made.enumerated() { (target.base + c * size).deinitialize(count: n) }
                initialized = 0
                throw error
            }
            initialized = items.count
        }
    }
}

/// A buffer that several threads of one `parallelMap` use, each only its own indices.
@usableFromInline
struct SharedBuffer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>

    @inlinable init(base: UnsafeMutablePointer<T>) { self.base = base }
    @inlinable init(base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// The non-throwing form.
@inlinable
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threshold: Int = 256, _ transform: @Sendable (T) -> R) -> [R] {
    // The closure cannot throw, so neither can the call.
    try! parallelMap(items, threshold: threshold) { (item: T) throws -> R in transform(item) }
}

/// How many results each chunk made, and the first error of any, written from several threads.
@usableFromInline
final class ChunkOutcomes: @unchecked Sendable {
    private var made: [Int]
    private var errors: [Error?]
    private let lock = NSLock()

    @usableFromInline init(count: Int) {
        made = Array(repeating: 0, count: count)
        errors = Array(repeating: nil, count: count)
    }

    @usableFromInline func set(_ chunk: Int, made n: Int, error: Error?) { lock.withLock { made[chunk] = n; errors[chunk] = error } }

    @usableFromInline func all() -> ([Int], Error?) { lock.withLock { (made, errors.compactMap { $0 }.first) } }
}
