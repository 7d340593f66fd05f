import FleetCore
import Testing

@Suite("Host names")
struct HostTargetTests {
    @Test(arguments: [
        "t-linux64-ms-001.test.releng.mdc1.mozilla.com", "macmini-m4-60.test.releng.mdc1.mozilla.com",
        "host", "127.0.0.1", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "a-b.c-d",
    ])
    func acceptsHostNamesAndAddresses(_ raw: String) throws {
        let t = try HostTarget.parse(raw)
        #expect(t.user == nil)
        #expect(t.host == raw)
    }

    @Test func acceptsUserAtHostAndBracketedIPv6() throws {
        let a = try HostTarget.parse("relops@t-linux64-ms-001.test.releng.mdc1.mozilla.com")
        #expect(a.user == "relops")
        #expect(a.host == "t-linux64-ms-001.test.releng.mdc1.mozilla.com")
        #expect(a.description == "relops@t-linux64-ms-001.test.releng.mdc1.mozilla.com")
        let b = try HostTarget.parse("root@[::1]")
        #expect(b.host == "::1")
        #expect(b.sshDestination == "root@::1")
    }

    @Test(arguments: [
        "-oProxyCommand=touch /tmp/pwned", "-oProxyCommand=x", "a;b", "$(x)", "`x`", "a b", "a\tb", "a\nb",
        "host|cat", "h&", "h>x", "'h'", "\"h\"", "h\\x", "under_score.example.com", "-host", "host-",
        "a..b", ".lead", "trail.", "user@", "@host", "-u@host", "us er@host", "u;x@host", "h*", "h?", "~h", "h#c",
        String(repeating: "a", count: 64) + ".com", String(repeating: "a.", count: 127) + "com", "[::1", "[nothex]", "1:2:3:4:5:6:7:8:9",
    ])
    func rejectsHostileAndMalformedNames(_ raw: String) {
        #expect(throws: HostNameError.self) { try HostTarget.parse(raw) }
    }

    @Test func rejectsEmpty() {
        #expect(throws: HostNameError.empty) { try HostTarget.parse("") }
    }

    @Test func errorNamesTheProblem() {
        do {
            _ = try HostTarget.parse("-oProxyCommand=x")
            Issue.record("accepted an ssh option as a host")
        } catch {
            #expect(error.description.contains("starts with '-'"))
        }
    }

    @Test(arguments: [
        ("ms1", "t-linux64-ms-001.test.releng.mdc1.mozilla.com"),
        ("ms001", "t-linux64-ms-001.test.releng.mdc1.mozilla.com"),
        ("MS1", "t-linux64-ms-001.test.releng.mdc1.mozilla.com"),
        ("ms-101", "t-linux64-ms-101.test.releng.mdc1.mozilla.com"),
        ("ms1234", "t-linux64-ms-1234.test.releng.mdc1.mozilla.com"),
        ("macmini-r8-42", "macmini-r8-42.test.releng.mdc1.mozilla.com"),
        ("host.example.com", "host.example.com"),
        ("root@ms001", "root@t-linux64-ms-001.test.releng.mdc1.mozilla.com"),
        ("::1", "::1"),
        ("10.0.0.1", "10.0.0.1"),
        ("msx", "msx.test.releng.mdc1.mozilla.com"),
    ])
    func expandsShortNames(_ input: String, _ expected: String) throws {
        #expect(try HostTarget.parse(input).expandingShortName().description == expected)
    }

    @Test func windowsHostsAreRecognisedByName() throws {
        #expect(try HostTarget.parse("nuc-01.wintest2.releng.mdc1.mozilla.com").isWindows)
        #expect(try !HostTarget.parse("t-linux64-ms-001.test.releng.mdc1.mozilla.com").isWindows)
    }
}
