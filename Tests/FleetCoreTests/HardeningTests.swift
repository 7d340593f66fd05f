import FleetCore
import Foundation
import Testing

/// The parsers read files as what consumes them does (bash for override files), and host text is
/// made safe before it reaches a terminal.
@Suite("Parsers agree with bash, text is cleaned")
struct HardeningTests {
    @Test(arguments: [
        ("PUPPET_BRANCH=relops-999 touch X\n", "touch"),
        ("PUPPET_REPO='https://github.com/a/ronin_puppet.git' PUPPET_BRANCH=x /bin/sh -c id\n", "/bin/sh"),
        ("PUPPET_BRANCH=x | cat\n", "|"),
        ("PUPPET_BRANCH=x &\n", "&"),
        ("PUPPET_BRANCH=x >/tmp/out touch X\n", "touch"),
    ])
    func assignmentsBashWouldNotKeepAreRefused(_ text: String, _ what: String) throws {
        let file = OverrideFile(text: "# header\n" + text)
        #expect(file.puppetBranch == nil, "bash leaves PUPPET_BRANCH unset")
        let problems = OverrideRules.check(file)
        let problem = try #require(problems.first)
        #expect(problem.line == 2)
        #expect(problem.message.contains(what), "\(problem)")
        #expect(problem.message.contains("unset"))
    }

    @Test(arguments: ["PUPPET_BRANCH=x; touch X", "PUPPET_BRANCH=x && true", "PUPPET_BRANCH=x >/dev/null", "export PUPPET_BRANCH=x OTHER",
                      "PUPPET_BRANCH=x # comment"])
    func assignmentsBashKeepsAreRead(_ line: String) {
        let file = OverrideFile(text: line + "\n")
        #expect(file.puppetBranch == "x", "\(line)")
        #expect(OverrideRules.check(file).isEmpty, "\(line)")
    }

    @Test func severalAssignmentsOnOneLineAreAllChecked() throws {
        let file = OverrideFile(text: "PUPPET_MAIL=a@b.org PUPPET_BRANCH='bad branch'\n")
        #expect(file.puppetMail == "a@b.org")
        #expect(OverrideRules.check(file).first?.message.contains("PUPPET_BRANCH contains invalid characters") == true)
    }

    @Test func carriageReturnsAreRefusedWithTheirLine() throws {
        let crlf = "# a\r\nPUPPET_BRANCH=\"x\"\r\n"
        let a = try #require(OverrideRules.lineEndingProblem(crlf))
        #expect(a.line == 1)
        #expect(a.message.contains("CRLF"))
        #expect(!a.message.contains("PUPPET_BRANCH"), "the file is never quoted")
        let cr = "PUPPET_BRANCH=x\r$(touch /tmp/pwned)\r"
        let b = try #require(OverrideRules.lineEndingProblem(cr))
        #expect(b.line == 1)
        #expect(b.message.contains("(CR)"))
        let late = try #require(OverrideRules.lineEndingProblem("a=1\nb=2\nc=3\r\n"))
        #expect(late.line == 3)
        #expect(OverrideRules.lineEndingProblem("a=1\nb=2\n") == nil)
        // What bash reads: with CRLF the value holds the CR, the parser agrees.
        #expect(OverrideFile(text: crlf).puppetBranch == "x\r")
    }

    @Test func hostListsWithWindowsLineEndingsAreRead() throws {
        let list = try HostListFile.parse(text: "# fqdn: example.com\r\nh1\r\nh2   # two\r\n\r\nh3\r\n", path: "w.list")
        #expect(list.hosts.map(\.host) == ["h1.example.com", "h2.example.com", "h3.example.com"])
        #expect(throws: HostListError.self) { try HostListFile.parse(text: "h1\r\nbad host\r\n", path: "w.list") }
        do {
            _ = try HostListFile.parse(text: "h1\r\n\r\nbad\u{1B}]0;x\u{07}\r\n", path: "w.list")
        } catch {
            #expect(error.description.hasPrefix("w.list:3:"), "\(error)")
        }
    }

    @Test func terminalTextHasNoControlCharacters() {
        let hostile = "a\u{1B}[31mred\u{1B}]0;title\u{07}\u{9B}31m\u{202E}rev\r\nnext\tcol"
        let multi = TerminalText.clean(hostile)
        #expect(!multi.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(!multi.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E || $0 == "\r" })
        #expect(multi.contains("\n"))
        let single = TerminalText.clean(hostile, singleLine: true)
        #expect(!single.contains("\n") && !single.contains("\t"))
        #expect(single.contains("⏎"))
        #expect(TerminalText.clean("plain text") == "plain text")
    }

    @Test func encodedValuesDecodeAndLimitsApply() {
        let out = RemoteOutput.parse(Data("\(RemoteProtocol.startLine)\nA~=\(Data("x\ny".utf8).base64EncodedString())\nB=\(String(repeating: "b", count: 5000))\nC=ok\n\(RemoteProtocol.endMarker)\n".utf8))
        #expect(out.fields["A"] == "x\ny")
        #expect(out.fields["B"] == nil)
        #expect(out.oversized == ["B"])
        #expect(out.fields["C"] == "ok")
        #expect(out.complete)
    }
}
