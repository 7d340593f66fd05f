import FleetCore
import Foundation
import Testing

/// A run's output on the way to a terminal: whole lines, cursor control removed, colours only
/// when asked (the old tool's _strip_ansi cases, and more), and the kept tail bounded.
@Suite("Puppet run output")
struct PuppetRunTextTests {
    let esc = "\u{1B}"

    @Test func plainTextIsUnchanged() {
        #expect(PuppetOutputText.clean("Notice: Applied catalog in 3.2 seconds", color: true) == "Notice: Applied catalog in 3.2 seconds")
        #expect(PuppetOutputText.clean("", color: true) == "")
        #expect(PuppetOutputText.clean("a\tb ü 日本", color: false) == "a\tb ü 日本")
    }

    @Test func coloursStayOnlyWhenAskedAndAreResetAtTheEnd() {
        let line = "\(esc)[0;32mPASSED \(esc)[0m"
        #expect(PuppetOutputText.clean(line, color: true) == line + "\(esc)[0m")
        #expect(PuppetOutputText.clean(line, color: false) == "PASSED ")
        #expect(PuppetOutputText.clean("\(esc)[1;31mError", color: true) == "\(esc)[1;31mError\(esc)[0m", "no colour bleeds into the next line")
    }

    @Test func cursorControlAlwaysGoes() {
        #expect(PuppetOutputText.clean("PUPPET_BRANCH:\(esc)[40Gmaster", color: true) == "PUPPET_BRANCH:master")
        #expect(PuppetOutputText.clean("a\(esc)[Kb\(esc)[2Jc", color: true) == "abc")
        #expect(PuppetOutputText.clean("\(esc)[?1049hscreen\(esc)[?1049l", color: true) == "screen")
        #expect(PuppetOutputText.clean("\(esc)[31m\(esc)[10Cred", color: true) == "\(esc)[31mred\(esc)[0m", "SGR kept, cursor move dropped")
        #expect(PuppetOutputText.clean("\(esc)[?25m", color: true) == "", "private-mode 'm' is not a colour")
    }

    @Test func stringsAndShortEscapesGo() {
        #expect(PuppetOutputText.clean("\(esc)]0;title\u{07}text", color: true) == "text")
        #expect(PuppetOutputText.clean("\(esc)]8;;http://x\(esc)\\link\(esc)]8;;\(esc)\\", color: true) == "link")
        #expect(PuppetOutputText.clean("\(esc)Pq#0;2;0;0;0\(esc)\\after", color: true) == "after")
        #expect(PuppetOutputText.clean("\(esc)c\(esc)7x\(esc)8\(esc)(By", color: true) == "xy")
        #expect(PuppetOutputText.clean("unterminated \(esc)]0;title", color: true) == "unterminated ")
        #expect(PuppetOutputText.clean("lone \(esc)", color: true) == "lone ")
    }

    @Test func otherControlsGoAndFormatCharactersShow() {
        #expect(PuppetOutputText.clean("a\u{07}b\u{08}c\u{7F}d\u{9B}e", color: true) == "abcde")
        #expect(PuppetOutputText.clean("x\u{202E}y", color: true) == "x?y", "a bidirectional override cannot reorder the line")
    }

    @Test func linesAreWholeWhateverTheReadSizes() {
        let text = Data("first line\r\nsecond\nthird without end".utf8)
        for size in [1, 2, 5, 64] {
            var splitter = LineSplitter()
            var lines: [String] = []
            var i = 0
            while i < text.count {
                lines += splitter.feed(text[i..<min(text.count, i + size)]).map(LineSplitter.text)
                i += size
            }
            if let rest = splitter.finish() { lines.append(LineSplitter.text(rest)) }
            #expect(lines == ["first line", "second", "third without end"], "reads of \(size)")
        }
    }

    @Test func aProgressDisplayShowsWhatItLeft() {
        #expect(LineSplitter.text(Array("10%\r50%\r100%\r\r".utf8)) == "100%")
    }

    @Test func aHugeLineIsCutNotHeld() {
        var splitter = LineSplitter(maxLine: 10)
        let lines = splitter.feed(Array(repeating: UInt8(ascii: "a"), count: 25) + [10])
        #expect(lines.map(\.count) == [10, 10, 5])
    }

    @Test func theTailKeepsTheLastBytes() {
        var tail = TailBuffer(limit: 100)
        for i in 0..<5000 { tail.append("line \(i)") }
        #expect(tail.cut)
        #expect(tail.kept.last == "line 4999")
        #expect(tail.kept.reduce(0) { $0 + $1.utf8.count + 1 } <= 100)
        var small = TailBuffer(limit: 100)
        small.append("one")
        #expect(!small.cut && small.kept == ["one"])
    }

    /// The audit line's fields are the old tool's, with nulls where it wrote nulls.
    @Test func theRecordHasTheOldFields() throws {
        let r = PuppetRunRecord(ts: "2026-12-01T00:00:00+00:00", actor: "me", host: "h.example.com", result: .fail, sshRC: nil,
                                stderr: "", error: "x", errorClass: .unreachable, observed: PuppetRunObserved(durationS: 1.25),
                                parameters: PuppetRunParameters(reason: nil, timeoutS: 600), runID: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any])
        #expect(object["action"] as? String == "host.run_puppet")
        #expect(object["ok"] as? Bool == false)
        #expect(object["ssh_rc"] is NSNull)
        #expect(object["error_class"] as? String == "unreachable")
        let observed = try #require(object["observed"] as? [String: Any])
        #expect(observed["puppet_exit"] is NSNull)
        #expect(observed["changes_applied"] as? Bool == false)
        #expect(observed["duration_s"] as? Double == 1.25)
        #expect((object["parameters"] as? [String: Any])?["reason"] is NSNull)
        #expect(try JSONDecoder().decode(PuppetRunRecord.self, from: JSONEncoder().encode(r)) == r)
    }
}
