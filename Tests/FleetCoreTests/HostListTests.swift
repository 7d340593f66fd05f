import FleetCore
import Testing

@Suite("Host lists and host arguments")
struct HostListTests {
    @Test func parsesCommentsDirectiveAndInlineComments() throws {
        let text = """
            # #####################
            # THIS FILE IS AUTO-GENERATED
            # fqdn: .test.releng.mdc1.mozilla.com

            t-linux64-ms-001
              t-linux64-ms-002   # rebooted yesterday
            h3.other.org
            relops@t-linux64-ms-003
            """
        let list = try HostListFile.parse(text: text, path: "canary.list")
        #expect(list.hosts.map(\.description) == [
            "t-linux64-ms-001.test.releng.mdc1.mozilla.com",
            "t-linux64-ms-002.test.releng.mdc1.mozilla.com",
            "h3.other.org",
            "relops@t-linux64-ms-003.test.releng.mdc1.mozilla.com",
        ])
    }

    @Test func lastDirectiveWinsAndDotIsAdded() throws {
        let list = try HostListFile.parse(text: "#fqdn:a.example\nh1\n# fqdn: b.example\nh2\n", path: "x.list")
        #expect(list.hosts.map(\.host) == ["h1.b.example", "h2.b.example"])
    }

    @Test func directiveIsCaseSensitiveAndBareNamesExpandWithoutIt() throws {
        let list = try HostListFile.parse(text: "# FQDN: a.example\nh1\nms7\n10.0.0.1\n", path: "x.list")
        #expect(list.hosts.map(\.host) == ["h1.test.releng.mdc1.mozilla.com", "t-linux64-ms-007.test.releng.mdc1.mozilla.com", "10.0.0.1"])
    }

    @Test func badEntryNamesFileAndLine() {
        #expect(throws: HostListError.badEntry(path: "bad.list", line: 3, .invalid("-oProxyCommand=touch", "it starts with '-' and would be read as an ssh option"))) {
            try HostListFile.parse(text: "# hosts\nok.example.com\n-oProxyCommand=touch\n", path: "bad.list")
        }
    }

    @Test func emptyListIsAnError() {
        #expect(throws: HostListError.empty("e.list")) { try HostListFile.parse(text: "# nothing\n\n", path: "e.list") }
    }

    @Test func missingListFile() {
        #expect(throws: HostListError.notFound("/nonexistent/hosts.list")) { try HostListFile.load(path: "/nonexistent/hosts.list") }
    }

    @Test func commaListsExpandAndDeduplicateInOrder() throws {
        let s = try HostSelection.resolve(["ms3,ms1,,ms003", "ms2", "ms1"], isRegularFile: { _ in false })
        #expect(s.hosts.map(\.host) == [
            "t-linux64-ms-003.test.releng.mdc1.mozilla.com",
            "t-linux64-ms-001.test.releng.mdc1.mozilla.com",
            "t-linux64-ms-002.test.releng.mdc1.mozilla.com",
        ])
        #expect(s.duplicatesDropped == 2)
        #expect(s.isBatch)
        #expect(s.expansions.count == 5)
    }

    @Test func singleHostIsNotBatch() throws {
        let s = try HostSelection.resolve(["host.example.com"], isRegularFile: { _ in false })
        #expect(!s.isBatch)
        #expect(s.expansions.isEmpty)
    }

    @Test(arguments: [[""], [","], [",,", " "]])
    func emptyArgumentsAreAUsageError(_ args: [String]) {
        #expect(throws: HostSelectionError.self) { try HostSelection.resolve(args, isRegularFile: { _ in false }) }
    }

    @Test func fileAndHostsCannotBeMixed() {
        do {
            _ = try HostSelection.resolve(["a.list", "host.example.com"], isRegularFile: { _ in false })
            Issue.record("mixing was accepted")
        } catch {
            #expect(error.description.contains("Cannot mix host file ('a.list')"))
        }
    }

    @Test func onlyOneFile() {
        #expect(throws: HostSelectionError.self) {
            try HostSelection.resolve(["a.list", "b.list"], isRegularFile: { _ in false })
        }
    }

    @Test func listFileIsBatchEvenWithOneHost() throws {
        let s = try HostSelection.resolve(["one.list"], isRegularFile: { _ in false },
                                          loadList: { path throws(HostListError) in try HostListFile.parse(text: "h1.example.com\nh1.example.com\n", path: path) })
        #expect(s.isBatch)
        #expect(s.hosts.count == 1)
        #expect(s.listFile == "one.list")
    }
}
