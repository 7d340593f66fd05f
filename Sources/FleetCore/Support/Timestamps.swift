import Foundation

/// The timestamp formats fleetroll reads and writes.
public enum Timestamp {
    /// ISO-8601 UTC at second resolution with a `+00:00` offset (`2026-01-27T04:30:00+00:00`),
    /// the format of every record the old tool wrote; kept so existing jq filters still work.
    public static func iso(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        let (y, m, d) = civil(fromDays: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secs / 3600, 2) + ":" + pad(secs % 3600 / 60, 2)
            + ":" + pad(secs % 60, 2) + "+00:00"
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Calendar arithmetic without Foundation's Calendar, which is slow on Linux and is called for
    // every timestamp of every row of a report (Howard Hinnant's days-from-civil algorithms).
    static func days(fromCivil y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func now() -> String { iso(Date()) }

    static let monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// Parses ISO-8601 with `Z`, `+HH:MM`, fractional seconds, or no zone at all. A timestamp
    /// without a zone is taken as UTC, never as the collector's local time (the old tool's W14).
    public static func parse(_ text: String) -> Date? {
        // The string's own bytes, not Foundation's trimming or a copy: a report parses tens of
        // thousands of these.
        var text = text
        return text.withUTF8 { bytes in
            var start = 0, end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return parse(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    static func parse(_ chars: UnsafeBufferPointer<UInt8>) -> Date? {
        guard chars.count >= 19 else { return nil }
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
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        guard i == chars.count, (1...12).contains(mo), d >= 1, d <= (mo == 2 ? (leap ? 29 : 28) : Self.monthDays[mo - 1]),
              h < 24, mi < 60, sec <= 60 else { return nil }
        let epoch = days(fromCivil: y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
        return Date(timeIntervalSince1970: Double(epoch) + fraction - Double(offset))
    }
}
