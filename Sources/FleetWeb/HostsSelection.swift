import FleetCore
import FleetReport
import Foundation

/// Which rows a request asks for: `filter` (the query language, as `--filter`), `sort` (sort
/// keys as after `sort:`, applied before the filter's own), and a window (`offset`/`limit` for
/// the API, `page` for the HTML). The rows and their order are `host-monitor --once`'s.
struct HostsSelection {
    var filter: String
    var sort: String
    /// Every matching row, in order.
    var rows: [HostRow]
    var total: Int

    /// A query the CLI would refuse, with the CLI's words.
    struct Problem: Error {
        var message: String
    }

    init(filter: String, sort: String, snapshot: WebModel.Snapshot) throws(Problem) {
        self.filter = filter
        self.sort = sort
        var query = Query(filter)
        if let issue = query.validate(filter) { throw Problem(message: issue.description) }
        let sortText = sort.trimmingCharacters(in: .whitespaces)
        if !sortText.isEmpty {
            let keys = Query("sort:" + sortText)
            // Positions would point into text the user did not write: the message alone.
            if let issue = keys.validate("sort:" + sortText) { throw Problem(message: "sort: \(issue.message)") }
            query.sort = keys.sort + query.sort
        }
        rows = query.apply(snapshot.rows)
        total = snapshot.rows.count
    }

    init(_ parameters: QueryParameters, snapshot: WebModel.Snapshot) throws(Problem) {
        try self.init(filter: parameters["filter"] ?? "", sort: parameters["sort"] ?? "", snapshot: snapshot)
    }

    /// `offset` and `limit` (whole numbers; no limit: every row from the offset).
    static func window(_ parameters: QueryParameters, count: Int) throws(Problem) -> Range<Int> {
        func number(_ key: String) throws(Problem) -> Int? {
            guard let text = parameters[key], !text.isEmpty else { return nil }
            guard let n = Int(text), n >= 0 else { throw Problem(message: "\(key) must be a whole number, 0 or more") }
            return n
        }
        let offset = min(try number("offset") ?? 0, count)
        let limit = try number("limit") ?? count
        return offset..<min(count, offset + min(limit, count))
    }
}
