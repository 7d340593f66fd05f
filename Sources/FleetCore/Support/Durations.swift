/// Short human durations as the reports print them: `45s`, `12m`, `5h 02m`, `3d 04h`.
public enum Durations {
    public static func humanize(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h " + pad2((s % 3600) / 60) + "m" }
        return "\(s / 86400)d " + pad2((s % 86400) / 3600) + "h"
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
