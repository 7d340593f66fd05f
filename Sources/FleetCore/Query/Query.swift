/// A parsed filter-and-sort query: `pp_last>20h healthy=n sort:tc_act:desc,host`.
///
/// Conditions are ANDed; `sort:` keys apply in order over the incoming order (stable). The
/// grammar is the old tool's (monitor.md §6), plus quotes: `uptime>"1d 04h"` is one token, so a
/// duration can be written as the report prints it. Parsing never fails; `validate` says what
/// was ignored, unknown or not a value the column can hold, with the token and its position.
public struct Query: Sendable, Equatable {
    public enum Op: String, Sendable, CaseIterable {
        case ge = ">=", le = "<=", ne = "!=", gt = ">", lt = "<", eq = "=", contains = "~"
    }

    public struct Condition: Sendable, Equatable {
        public var column: String
        public var op: Op
        public var value: String
        /// The token's offset in the query text.
        public var position: Int
        public var known: ReportColumn? { ReportColumn.named(column) }

        /// Why the value is not one the column can hold (`healthy=maybe`, `uptime>abc`): such a
        /// query would otherwise just match nothing, and look like a fleet with no such host.
        public func valueProblem() -> String? {
            guard let col = known, op != .contains else { return nil }
            let values = (op == .eq || op == .ne) ? value.split(separator: "|").map(String.init) : [value]
            for v in values where !(op == .eq || op == .ne) || !(v.isEmpty || v == "-") {
                if col.isCount {
                    if Int(v) == nil { return "\(col.rawValue) compares whole numbers, and '\(v)' is not one (e.g. tc_ok_pct<90)" }
                } else if col.isDuration || col == .data {
                    if Durations.parse(v) == nil {
                        return "\(col.rawValue) compares durations, and '\(v)' is not one (e.g. 45m, 20h, 1d04h or \"1d 04h\")"
                    }
                } else if let allowed = col.allowedValues, !allowed.contains(v.lowercased()) {
                    return "\(col.rawValue) is one of \(allowed.map { $0.uppercased() }.joined(separator: ", ")) or - (got '\(v)')"
                }
            }
            return nil
        }
    }

    public struct SortKey: Sendable, Equatable {
        public var column: String
        public var descending: Bool
        public var position: Int
        public var known: ReportColumn? { ReportColumn.named(column) }
    }

    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var token: String
        public var position: Int
        public var description: String { "\(message) (at '\(token)', character \(position + 1))" }
    }

    public var conditions: [Condition] = []
    public var sort: [SortKey] = []
    /// Tokens that were ignored (no operator, or an operator with nothing after it).
    public var ignored: [(token: String, position: Int)] = []

    public var isEmpty: Bool { conditions.isEmpty && sort.isEmpty }

    public static func == (a: Query, b: Query) -> Bool { a.conditions == b.conditions && a.sort == b.sort }

    public init(_ text: String) {
        for (token, position) in Self.tokens(text) {
            if token.lowercased().hasPrefix("sort:") {
                for part in token.dropFirst(5).split(separator: ",") where !part.isEmpty {
                    let bits = part.split(separator: ":", omittingEmptySubsequences: false)
                    let column = String(bits[0]).lowercased()
                    guard !column.isEmpty else { continue }
                    let descending = bits.count > 1 && bits[1].lowercased() == "desc"
                    sort.append(SortKey(column: Self.canonical(column), descending: descending, position: position))
                }
                continue
            }
            guard let (op, range) = Self.findOperator(token) else {
                ignored.append((token, position))
                continue
            }
            let column = Self.canonical(String(token[..<range.lowerBound]).lowercased())
            let value = String(token[range.upperBound...])
            guard !value.isEmpty || op == .eq || op == .ne else {
                ignored.append((token, position))
                continue
            }
            conditions.append(Condition(column: column, op: op, value: value, position: position))
        }
    }

    /// Whitespace-separated tokens (spaces, tabs, newlines) with their character offsets. Inside
    /// `"..."` or `'...'` whitespace is part of the token; the quotes themselves are dropped.
    public static func tokens(_ text: String) -> [(String, Int)] {
        var out: [(String, Int)] = []
        var current = ""
        var start = 0
        var started = false
        var quote: Character?
        for (i, c) in text.enumerated() {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                if !started { start = i; started = true }
                quote = c
            } else if c.isWhitespace {
                if started { out.append((current, start)); current = ""; started = false }
            } else {
                if !started { start = i; started = true }
                current.append(c)
            }
        }
        if started { out.append((current, start)) }
        return out
    }

    static func canonical(_ column: String) -> String { ReportColumn.named(column)?.rawValue ?? column }

    /// The earliest operator after the first character; on a tie the longer one.
    public static func findOperator(_ token: String) -> (Op, Range<String.Index>)? {
        guard token.count > 1 else { return nil }
        let searchable = token.index(after: token.startIndex)..<token.endIndex
        var best: (Op, Range<String.Index>)?
        for op in Op.allCases {
            guard let r = token.range(of: op.rawValue, range: searchable) else { continue }
            if let b = best, r.lowerBound > b.1.lowerBound || (r.lowerBound == b.1.lowerBound && op.rawValue.count <= b.0.rawValue.count) {
                continue
            }
            best = (op, r)
        }
        return best
    }

    /// The first problem worth telling the user, or nil.
    public func validate(_ text: String) -> Issue? {
        if isEmpty, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let first = ignored.first
            return Issue(message: "query unrecognized — check syntax (expected column, operator and value, e.g. pp_last>20h)",
                         token: first?.token ?? text, position: first?.position ?? 0)
        }
        if let bad = conditions.first(where: { $0.known == nil }) {
            return Issue(message: "unknown column: \(bad.column)", token: bad.column, position: bad.position)
        }
        if let bad = sort.first(where: { $0.known == nil }) {
            return Issue(message: "unknown sort column: \(bad.column)", token: bad.column, position: bad.position)
        }
        for condition in conditions {
            if let problem = condition.valueProblem() {
                return Issue(message: problem, token: "\(condition.column)\(condition.op.rawValue)\(condition.value)", position: condition.position)
            }
        }
        if let skipped = ignored.first {
            return Issue(message: "ignored: not a condition (column, operator, value)", token: skipped.token, position: skipped.position)
        }
        return nil
    }
}
