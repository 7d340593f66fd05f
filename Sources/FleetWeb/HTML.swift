import Foundation

/// HTML text made by hand. Every string that did not come from this file goes through `esc`:
/// host names, roles, notes, errors and records are what hosts and operators wrote, and a role
/// file holding `<script>` must show as text. Attributes are always double-quoted.
enum HTML {
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newline are shown, not passed on.
            case "\u{0}"..."\u{8}", "\u{B}"..."\u{1F}", "\u{7F}"..."\u{9F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A link's target: the path and the query, percent-encoded, then escaped for the attribute.
    static func href(_ path: String, _ parameters: [(String, String)] = []) -> String {
        let query = parameters.filter { !$0.1.isEmpty }.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return esc(query.isEmpty ? path : path + "?" + query)
    }

    /// Only unreserved characters stay as they are.
    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A host's page.
    static func hostPath(_ host: String) -> String { "/hosts/" + encode(host) }

    /// A JSON text (a record as the CLI encodes it) as nested lists, every key and value escaped.
    static func tree(json: String?) -> String {
        guard let json, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return tree(.null) }
        return tree(value)
    }

    static func tree(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<span class=\"null\">-</span>"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return esc(n)
        case .string(let s): return s.contains("\n") ? "<pre>\(esc(s))</pre>" : esc(s)
        case .array(let a):
            guard !a.isEmpty else { return "<span class=\"null\">[]</span>" }
            return "<ol class=\"tree\">" + a.map { "<li>\(tree($0))</li>" }.joined() + "</ol>"
        case .object(let pairs):
            guard !pairs.isEmpty else { return "<span class=\"null\">{}</span>" }
            return "<dl class=\"tree\">" + pairs.map { "<dt>\(esc($0.0))</dt><dd>\(tree($0.1))</dd>" }.joined() + "</dl>"
        }
    }

    /// The page around a body: our styles and script only (the CSP allows nothing else).
    static func page(title: String, kind: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head><body data-page="\(esc(kind))">
        \(body)
        </body></html>

        """
    }
}

/// Any JSON value, decoded without losing which of true and 1 it was; object keys sorted.
indirect enum JSONValue: Decodable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([(String, JSONValue)])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map(\.stringValue).sorted().map { ($0, try object.decode(JSONValue.self, forKey: Key(stringValue: $0))) })
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !list.isAtEnd { out.append(try list.decode(JSONValue.self)) }
            self = .array(out)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int64.self) { self = .number(String(i)) }
        else if let d = try? single.decode(Double.self) { self = .number(String(d)) }
        else { self = .string(try single.decode(String.self)) }
    }
}
