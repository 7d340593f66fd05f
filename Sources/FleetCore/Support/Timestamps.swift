import Foundation

/// The timestamp formats fleetroll reads and writes.
public enum Timestamp {
    /// ISO-8601 UTC at second resolution with a `+00:00` offset (`2026-01-27T04:30:00+00:00`),
    /// the format of every record the old tool wrote; kept so existing jq filters still work.
    public static func iso(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d+00:00",
                      c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    public static func now() -> String { iso(Date()) }

    /// Parses ISO-8601 with `Z`, `+HH:MM`, fractional seconds, or no zone at all. A timestamp
    /// without a zone is taken as UTC, never as the collector's local time (the old tool's W14).
    public static func parse(_ text: String) -> Date? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.count >= 19 else { return nil }
        let chars = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= chars.count else { return nil }
            var v = 0
            for c in chars[from..<(from + len)] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), chars[4] == UInt8(ascii: "-"), let mo = num(5, 2), chars[7] == UInt8(ascii: "-"),
              let d = num(8, 2), chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              let h = num(11, 2), chars[13] == UInt8(ascii: ":"), let mi = num(14, 2),
              chars[16] == UInt8(ascii: ":"), let sec = num(17, 2) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                fraction += Double(chars[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < chars.count {
            let z = chars[i]
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                i += 1
            } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                guard let oh = num(i + 1, 2) else { return nil }
                var om = 0
                if i + 3 < chars.count {
                    let colon = chars[i + 3] == UInt8(ascii: ":") ? 1 : 0
                    guard let m = num(i + 3 + colon, 2) else { return nil }
                    om = m
                    i += 3 + colon + 2
                } else {
                    i += 3
                }
                offset = (oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard i == chars.count, (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec <= 60 else { return nil }
        let comps = DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
        guard let base = utcCalendar.date(from: comps) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }

    private static let utcCalendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()
}
