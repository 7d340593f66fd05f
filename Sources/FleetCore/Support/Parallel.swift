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
