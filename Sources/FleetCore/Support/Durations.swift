/// Short human durations as the reports print them (`45s`, `12m`, `5h 02m`, `3d 04h`), and
/// their inverse for the query language.
public enum Durations {
    /// `minUnitMinutes` prints anything under a minute as `<1m` (the DATA column).
    public static func humanize(_ seconds: Int, minUnitMinutes: Bool = false) -> String {
        let s = max(0, seconds)
        if s < 60 { return minUnitMinutes ? "<1m" : "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h " + pad2((s % 3600) / 60) + "m" }
        return "\(s / 86400)d " + pad2((s % 86400) / 3600) + "h"
    }

    /// A number that changes whenever `humanize(seconds, minUnitMinutes:)` does (seconds under
    /// a minute, then whole minutes), so a caller can tell without making the string.
    public static func displayStep(_ seconds: Int, minUnitMinutes: Bool = false) -> Int {
        let s = max(0, seconds)
        if s < 60 { return minUnitMinutes ? 0 : s }
        return 60 + s / 60
    }

    public static func humanize(_ seconds: Int?, minUnitMinutes: Bool = false) -> String {
        seconds.map { humanize($0, minUnitMinutes: minUnitMinutes) } ?? "-"
    }

    /// Reads `20h`, `1h30m`, `1d 04h`, `<1m` (59), `30m FAIL`, `5m -`; nil for `-`, `?`, `--`,
    /// empty, or text with no `<number><s|m|h|d>` in it.
    public static func parse(_ text: String?) -> Int? {
        guard var s = text?.trimmingCharacters(in: .whitespaces), !["", "-", "?", "--"].contains(s) else { return nil }
        if let r = s.range(of: " FAIL") { s = String(s[..<r.lowerBound]).trimmingCharacters(in: .whitespaces) }
        if s.hasSuffix(" -") { s = String(s.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        var lessThan = false
        if s.hasPrefix("<") { lessThan = true; s.removeFirst() }
        var total = 0
        var found = false
        var chars = Array(s.lowercased())
        var i = 0
        while i < chars.count {
            guard chars[i].isASCIIDigit else { i += 1; continue }
            var j = i
            var n = 0
            var overflow = false
            while j < chars.count, chars[j].isASCIIDigit {
                let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int(String(chars[j]))!)
                overflow = overflow || o1 || o2
                n = next
                j += 1
            }
            // A number too large for any duration is no duration at all.
            if overflow { return nil }
            var k = j
            while k < chars.count, chars[k] == " " { k += 1 }
            if k < chars.count, let unit = ["s": 1, "m": 60, "h": 3600, "d": 86400][String(chars[k])] {
                let (seconds, o1) = n.multipliedReportingOverflow(by: unit)
                let (sum, o2) = total.addingReportingOverflow(seconds)
                if o1 || o2 { return nil }
                total = sum
                found = true
                i = k + 1
            } else {
                i = j
            }
        }
        chars.removeAll()
        guard found else { return nil }
        return lessThan ? max(0, total - 1) : total
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
