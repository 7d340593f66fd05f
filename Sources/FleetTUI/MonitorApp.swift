import CNcurses
import FleetCore
import FleetReport
import FleetStore
import Foundation
import Synchronization

/// The live terminal view: ncurses, the terminal's own colours, keys read without delay, data
/// reloaded as soon as a gather stores something.
public final class MonitorApp: Sendable {
    let loader: ReportLoader
    let store: ObservationStore
    let hosts: [String]?
    let queryText: String
    let source: String
    let version: String
    private let stop = Mutex(false)

    public init(loader: ReportLoader, hosts: [String]?, query: String, source: String, version: String) {
        self.loader = loader
        self.store = ObservationStore(database: loader.database)
        self.hosts = hosts
        self.queryText = query
        self.source = source
        self.version = version
    }

    /// Asks the loop to end (SIGTERM); the terminal is restored on the way out.
    public func requestStop() { stop.withLock { $0 = true } }

    public func run() async throws {
        fr_set_utf8_locale()
        _ = initscr()
        // Whatever happens, the terminal is given back in a sane state.
        defer { endwin() }
        raw()
        noecho()
        keypad(fr_stdscr(), true)
        curs_set(0)
        timeout(200)
        let colour = ProcessInfo.processInfo.environment["NO_COLOR"]?.isEmpty ?? true
        if colour && has_colors() {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_GREEN), -1)
            init_pair(2, Int16(COLOR_RED), -1)
            init_pair(3, Int16(COLOR_YELLOW), -1)
            init_pair(4, Int16(COLOR_CYAN), -1)
        }

        var view = MonitorView()
        view.setQuery(queryText, height: Int(fr_lines()))
        view.source = source
        var history = FilterHistory(path: loader.state.root.path + "/filter_history")
        history.add(queryText)
        defer { history.save() }
        var historyIndex: Int?
        var newest: Int64 = -1
        var lastFull = Date.distantPast
        var lastDraw = Date.distantPast
        var dirty = true
        var reloadNow = false
        var loaded: (names: [String], inputs: ReportInputs)?
        var lastTick = Date()
        while !stop.withLock({ $0 }) {
            let height = Int(fr_lines()), width = Int(fr_cols())
            // New observations are picked up within the poll; everything else every 30 s.
            let id = (try? await store.newestID()) ?? newest
            if id != newest || reloadNow || Date().timeIntervalSince(lastFull) > 30 {
                reloadNow = false
                newest = id
                lastFull = Date()
                var names = hosts ?? []
                if hosts == nil { names = try await loader.knownHosts() }
                let report = try await loader.report(for: names)
                loaded = (names, report.inputs)
                view.setRows(report.rows, total: names.count, height: height)
                view.updated = Date()
                dirty = true
            }
            // Ages (TC_ACT, DATA, ...) tick: rows are rebuilt from the loaded data, every second for
            // a fleet of a few thousand hosts, less often for larger ones.
            if let data = loaded, Date().timeIntervalSince(lastTick) >= (data.names.count > 3000 ? 10 : 1) {
                var inputs = data.inputs
                inputs.now = Date()
                let builder = RowBuilder(inputs: inputs)
                view.setRows(ReportLoader.sorted(data.names.map(builder.row), .host), total: data.names.count, height: height)
                lastTick = Date()
                dirty = true
            }
            if dirty || Date().timeIntervalSince(lastDraw) >= 1 {
                draw(view.lines(width: width, height: height, version: version), colour: colour && has_colors())
                lastDraw = Date()
                dirty = false
            }
            // Every key waiting is handled before the next draw: none is dropped.
            var key = getch()
            while key != ERR {
                // The size is read per key: a resize (KEY_RESIZE) changes it between two keys.
                let h = Int(fr_lines())
                if view.editing != nil {
                    edit(key, &view, &history, &historyIndex, height: h)
                } else if view.picker != nil {
                    pick(key, &view, &history, height: h)
                } else if view.showHelp {
                    view.showHelp = false
                } else {
                    if key == Int32(UInt8(ascii: "r")) { reloadNow = true }
                    if key == Int32(UInt8(ascii: "/")) { view.editing = view.query; historyIndex = nil }
                    if key == Int32(UInt8(ascii: "f")) {
                        // Read when opened, so a filter file added meanwhile shows up.
                        let dirs = [FileManager.default.currentDirectoryPath + "/configs/filters", loader.state.root.path + "/filters"]
                        view.picker = FilterPicker(saved: NamedFilters.load(from: dirs), recent: history.entries)
                    }
                    if key == Int32(UInt8(ascii: "\\")) {
                        history.add(view.query)
                        view.setQuery("", height: h)
                    }
                    if !handle(key, &view, height: h) { return }
                }
                dirty = true
                key = getch()
                if key != ERR { timeout(0) }
            }
            timeout(200)
        }
    }

    /// Applies a key; false to quit.
    func handle(_ key: Int32, _ view: inout MonitorView, height: Int) -> Bool {
        switch key {
        case Int32(UInt8(ascii: "q")), 3: return false  // q, Ctrl-C
        case Int32(UInt8(ascii: "j")), KEY_DOWN, KEY_NPAGE, Int32(UInt8(ascii: " ")): view.scroll(pages: 1, height: height)
        case Int32(UInt8(ascii: "k")), KEY_UP, KEY_PPAGE: view.scroll(pages: -1, height: height)
        case Int32(UInt8(ascii: "g")), KEY_HOME: view.home()
        case Int32(UInt8(ascii: "G")), KEY_END: view.end(height: height)
        case Int32(UInt8(ascii: "l")), KEY_RIGHT: view.scrollColumns(by: 1)
        case Int32(UInt8(ascii: "h")), KEY_LEFT: view.scrollColumns(by: -1)
        case KEY_RESIZE: view.scroll(lines: 0, height: Int(fr_lines()))
        case Int32(UInt8(ascii: "s")): view.cycleOrder(height: height)
        case Int32(UInt8(ascii: "o")): view.toggleOverridesOnly(height: height)
        case Int32(UInt8(ascii: "O")): view.cycleOS(height: height)
        case Int32(UInt8(ascii: "?")): view.showHelp = true
        default: break
        }
        return true
    }

    /// The picker: every printable key searches; arrows move and switch tabs; Enter applies.
    func pick(_ key: Int32, _ view: inout MonitorView, _ history: inout FilterHistory, height: Int) {
        guard var picker = view.picker else { return }
        switch key {
        case 27: view.picker = nil; return
        case 10, 13, KEY_ENTER:
            guard let entry = picker.selected else { break }
            view.picker = nil
            history.add(entry.query)
            view.setQuery(entry.query, height: height)
            return
        case KEY_LEFT, KEY_RIGHT, 9: picker.switchTab()
        case KEY_UP: picker.move(-1)
        case KEY_DOWN: picker.move(1)
        case KEY_BACKSPACE, 127, 8: picker.backspace()
        default:
            if key >= 32 && key < 127 { picker.type(Character(Unicode.Scalar(UInt8(key)))) }
        }
        view.picker = picker
    }

    /// The filter bar: every printable key is text; Enter applies, Esc cancels, ↑/↓ walk the history.
    func edit(_ key: Int32, _ view: inout MonitorView, _ history: inout FilterHistory, _ index: inout Int?, height: Int) {
        var text = view.editing ?? ""
        switch key {
        case 27:
            view.editing = nil
            return
        case 10, 13, KEY_ENTER:
            view.editing = nil
            history.add(text)
            view.setQuery(text, height: height)
            return
        case KEY_BACKSPACE, 127, 8:
            if !text.isEmpty { text.removeLast() }
        case 21:  // Ctrl-U
            text = ""
        case KEY_UP:
            guard !history.entries.isEmpty else { break }
            let i = max(0, (index ?? history.entries.count) - 1)
            index = i
            text = history.entries[i]
        case KEY_DOWN:
            guard let i = index else { break }
            if i + 1 < history.entries.count { index = i + 1; text = history.entries[i + 1] } else { index = nil; text = "" }
        default:
            if key >= 32 && key < 127 { text.append(Character(Unicode.Scalar(UInt8(key)))) }
        }
        view.editing = text
    }

    func draw(_ lines: [ScreenLine], colour: Bool) {
        erase()
        for (y, line) in lines.enumerated() {
            var x: Int32 = 0
            for (text, style) in line.pieces {
                let attr = attribute(style, colour: colour)
                if attr != 0 { _ = fr_attron(attr) }
                _ = text.withCString { fr_addnstr(Int32(y), x, $0, -1) }
                if attr != 0 { _ = fr_attroff(attr) }
                x += Int32(text.count)
            }
        }
        refresh()
    }

    func attribute(_ style: ScreenLine.Style, colour: Bool) -> Int32 {
        switch style {
        case .plain: return 0
        case .header: return Int32(fr_attr_bold())
        case .bar: return Int32(fr_attr_reverse())
        case .dim: return Int32(fr_attr_dim())
        case .good: return colour ? Int32(fr_color_pair(1)) : 0
        case .bad: return colour ? Int32(fr_color_pair(2)) | Int32(fr_attr_bold()) : Int32(fr_attr_bold())
        case .warn: return colour ? Int32(fr_color_pair(3)) : 0
        }
    }
}
