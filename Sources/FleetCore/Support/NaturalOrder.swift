/// Orders strings the way people read host names: `ms-2` before `ms-10`.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool { less(chunks(a), chunks(b)) }

    static func less(_ x: [Chunk], _ y: [Chunk]) -> Bool {
        for (l, r) in zip(x, y) where l != r {
            switch (l, r) {
            case (.number(let m, let ms), .number(let n, let ns)): return m != n ? m < n : ms < ns
            case (.number, .text): return true
            case (.text, .number): return false
            case (.text(let s), .text(let t)): return s < t
            }
        }
        return x.count < y.count
    }

    enum Chunk: Equatable {
        case text(String)
        case number(Int, String)
    }

    static func chunks(_ s: String) -> [Chunk] {
        var out: [Chunk] = []
        var current = ""
        var digits = false
        func flush() {
            guard !current.isEmpty else { return }
            if digits, let n = Int(current.prefix(18)) { out.append(.number(n, current)) } else { out.append(.text(current.lowercased())) }
            current = ""
        }
        for ch in s {
            let isDigit = ch.isASCIIDigit
            if isDigit != digits { flush(); digits = isDigit }
            current.append(ch)
        }
        flush()
        return out
    }
}

extension Sequence {
    /// Sorted by a string key in natural order.
    public func naturallySorted(by key: (Element) -> String) -> [Element] {
        // Each key is split once, not once per comparison.
        map { (NaturalOrder.chunks(key($0)), $0) }.sorted { NaturalOrder.less($0.0, $1.0) }.map(\.1)
    }
}
