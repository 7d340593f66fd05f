import FleetCore
import Foundation
@testable import FleetReport
import Testing

/// The named filters fleetroll ships are configs/filters/ byte for byte, and each one is a valid query.
@Suite("Shipped named filters")
struct BuiltInFilterTests {
    @Test func embeddedCopiesMatchTheFiles() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/filters")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(BuiltInFilters.files.map { $0.name + ".yaml" } == files, "run scripts/embed-filters")
        for (name, text) in BuiltInFilters.files {
            let file = try String(contentsOf: dir.appendingPathComponent(name + ".yaml"), encoding: .utf8)
            #expect(file == text, "\(name).yaml differs from the embedded copy: run scripts/embed-filters")
        }
    }

    @Test func everyShippedFilterIsAValidQuery() throws {
        for filter in NamedFilters.load(from: []) {
            #expect(filter.path == NamedFilters.builtInPath)
            #expect(Query(filter.query).validate(filter.query) == nil, "\(filter.name): \(filter.query)")
        }
        #expect(NamedFilters.load(from: []).count == BuiltInFilters.files.count)
    }
}
