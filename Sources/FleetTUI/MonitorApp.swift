import CNcurses
import FleetCore
import FleetReport
import Foundation
import Synchronization

/// The live terminal view: ncurses with the terminal's own colours, every key handled, new
/// observations shown as soon as a gather stores them.
public final class MonitorApp: Sendable {
    public struct Options: Sendable {
        public var hosts: [String]?
        public var query = ""
        public var order = BaseOrder.host
        /// The columns shown (`--columns`); nil for the report's own.
        public var columns: [ReportColumn]?
        public var source = ""
        public var version = ""
        /// Draw this many frames with scripted keys, then print timings (`--benchmark`).
        public var benchmarkFrames: Int?
        /// Where the filter history is kept (`<state>/filter_history`).
        public var historyPath = ""
        /// Where standard error goes while the view runs (`<state>/monitor.log`).
        public var logPath = "/dev/null"
        /// Where named filters are looked for.
        public var filterDirectories: [String] = []
        /// Files the header warns about past 100 MiB: name and path.
        public var watchedFiles: [(String, String)] = []

        public init() {}
    }

    let feed: LiveReport
    let options: Options
    private let stop = Mutex(false)

    public init(feed: LiveReport, options: Options) {
        self.feed = feed
        self.options = options
    }

    /// Asks the loop to end (SIGTERM); the terminal is restored on the way out.
    public func requestStop() { stop.withLock { $0 = true } }

    var stopped: Bool { stop.withLock { $0 } }

    public func run() async throws {
        var view = MonitorView(order: options.order, history: FilterHistory(path: options.historyPath))
        if let columns = options.columns { view.columns = columns }
        view.version = options.version
        view.source = options.source
        view.warnings = Self.largeFiles(options.watchedFiles)
        var bench = options.benchmarkFrames.map { BenchmarkRecorder(frames: $0) }
        let started = Date()
        try await feed.load()
        bench?.load = Date().timeIntervalSince(started)

        let screen = try Screen()
        // Whatever the libraries print while the screen is ours goes to a file, not the screen.
        let log = MonitorLog(path: options.logPath)
        defer { log.close() }
        log.info("start: source \(options.source), \(options.hosts.map { "\($0.count) hosts" } ?? "every host in the store"), query '\(options.query)'")

        defer {
            screen.close()
            view.history.save()
            log.info("quit")
        }
        view.colours = screen.colours
        view.resize(width: screen.width, height: screen.height)
        await publish(into: &view)
        view.setQuery(options.query)

        var lastTick = Date()
        var lastDraw = Date.distantPast
        var dirty = true
        while !stopped {
            view.resize(width: screen.width, height: screen.height)
            var changed = false
            do {
                changed = !(try await feed.poll()).isEmpty
            } catch {
                log.error("reading the store: \(error)")
                view.flash("store: \(error)", seconds: 5)
            }
            // Ages (TC_ACT, DATA, updated=) tick: rows are rebuilt from the loaded data every
            // second, every 10 s on fleets above 3,000 hosts.
            let tickDue = bench.map { $0.step % 10 == 0 } ?? (Date().timeIntervalSince(lastTick) >= 1)
            if tickDue {
                let t = Date()
                await feed.tick(now: Date())
                bench?.rebuilds.append(Date().timeIntervalSince(t))
                lastTick = Date()
            }
            // The view re-orders and filters the rows once, whether news, the tick or both.
            if changed || tickDue {
                let t = Date()
                await publish(into: &view)
                if tickDue { bench?.publishes.append(Date().timeIntervalSince(t)) }
                // A detail that cannot be refreshed stays as it was.
                if changed { try? await refreshDetail(&view) }
                dirty = true
            }
            if dirty || Date().timeIntervalSince(lastDraw) >= 1 {
                let t = Date()
                let canvas = view.render()
                let painted = Date()
                screen.paint(canvas)
                bench?.renders.append(painted.timeIntervalSince(t))
                bench?.paints.append(Date().timeIntervalSince(painted))
                lastDraw = Date()
                dirty = false
            }
            if var b = bench {
                // Scripted keys instead of the keyboard: page through, scroll columns, filter.
                if b.done { bench = b; break }
                let t = Date()
                _ = view.handle(b.nextKey())
                b.keys.append(Date().timeIntervalSince(t))
                bench = b
                dirty = true
                continue
            }
            // Every key waiting is handled before the next draw: none is dropped.
            let historyBefore = view.history.entries
            defer { if view.history.entries != historyBefore { view.history.save() } }
            var wait = true
            while let key = screen.key(wait: wait) {
                wait = false
                dirty = true
                switch view.handle(key) {
                case .none: break
                case .quit: return
                case .reload:
                    await feed.requestReload()
                    view.flash("reloading", seconds: 1)
                case .openPicker:
                    // Read when opened, so a filter file added meanwhile shows up.
                    view.openPicker(saved: NamedFilters.load(from: options.filterDirectories))
                case .showDetail(let host):
                    do {
                        view.showDetail(HostDetail.make(try await feed.detail(for: host), lastRun: feed.lastPuppetRun(host: host)))
                    } catch {
                        log.error("detail of \(host): \(error)")
                        view.flash("detail of \(host): \(error)", seconds: 5)
                    }
                }
            }
        }
        if let b = bench {
            screen.close()
            print(b.report(hosts: await feed.names.count, width: view.width, height: view.height))
        }
    }

    /// Shows the feed's rows, their age and staleness, and the rollouts holding hosts.
    func publish(into view: inout MonitorView) async {
        view.setRows(await feed.rows, total: await feed.names.count)
        view.updated = await feed.updated
        view.stale = await feed.stale
        view.rollouts = await feed.activeRollouts
    }

    /// Keeps an open detail current when its host's data changes.
    func refreshDetail(_ view: inout MonitorView) async throws {
        guard let host = view.detail?.host else { return }
        view.showDetail(HostDetail.make(try await feed.detail(for: host), lastRun: feed.lastPuppetRun(host: host)))
    }

    /// `audit: 120M` for the audit log or database when they pass 100 MiB (`fleetroll maintain`
    /// trims them).
    static func largeFiles(_ files: [(String, String)]) -> [String] {
        files.compactMap { name, path in
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            return size >= 100 << 20 ? "\(name): \(size >> 20)M" : nil
        }
    }
}

/// Timings of a `--benchmark` run.
struct BenchmarkRecorder {
    let frames: Int
    var load: TimeInterval = 0
    var renders: [TimeInterval] = []
    var paints: [TimeInterval] = []
    var rebuilds: [TimeInterval] = []
    var publishes: [TimeInterval] = []
    var keys: [TimeInterval] = []
    var step = 0

    var done: Bool { renders.count >= frames }

    /// Pages to the end and back, scrolls the columns, toggles a quick filter.
    mutating func nextKey() -> Key {
        step += 1
        let script: [Key] = [.char("j"), .char("j"), .char("j"), .char("l"), .char("G"), .char("k"), .char("h"), .char("o"),
                             .char("g"), .char("o"), .char("O"), .char("J"), .char("O"), .char("O"), .char("O")]
        return script[step % script.count]
    }

    func report(hosts: Int, width: Int, height: Int) -> String {
        func stats(_ xs: [TimeInterval]) -> String {
            guard !xs.isEmpty else { return "-" }
            let s = xs.sorted()
            func ms(_ x: TimeInterval) -> String { String(format: "%.2f ms", x * 1000) }
            return "median \(ms(s[s.count / 2])), p95 \(ms(s[min(s.count - 1, s.count * 95 / 100)])), max \(ms(s.last!)) (n=\(s.count))"
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return """
            hosts: \(hosts), terminal: \(width)x\(height)
            initial load: \(String(format: "%.3f s", load))
            key handled (paging, filters): \(stats(keys))
            frame drawn (view): \(stats(renders))
            frame painted (ncurses): \(stats(paints))
            rows rebuilt (ages tick): \(stats(rebuilds))
            rows shown (order, filters, widths): \(stats(publishes))
            peak memory (max RSS): \(usage.ru_maxrss / 1024) MiB
            """
    }
}
