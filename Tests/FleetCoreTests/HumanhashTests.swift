import FleetCore
import Foundation
import Testing

@Suite("humanhash")
struct HumanhashTests {
    @Test func wordlistIsTheReferenceList() {
        #expect(Humanhash.wordlist.count == 256)
        #expect(Digest.sha256Hex(Data(Humanhash.wordlist.joined(separator: " ").utf8))
                == "a8c0afaadb27f9986be82cba1ea5edaa802a4ff4fe20d08c8423cc67a4d2d846")
    }

    @Test(arguments: [
        ("secret: abc\nother: 1\n", "texas-vermont", "king-pip-queen-harry"),
        ("", "mobile-leopard", "river-early-aspen-lactose"),
        ("hello", "purple-jersey", "johnny-three-venus-mango"),
    ])
    func referenceVectors(_ content: String, _ two: String, _ four: String) throws {
        let sha = Digest.sha256Hex(Data(content.utf8))
        #expect(try Humanhash.humanize(sha) == two)
        #expect(try Humanhash.humanize(sha, words: 4) == four)
    }

    @Test func upstreamExampleAndShortInputs() throws {
        #expect(try Humanhash.humanize("60ad8d0d871b6095808297", words: 4) == "sodium-magnesium-nineteen-hydrogen")
        #expect(try Humanhash.humanize("abc") == "papa-aspen")
        #expect(throws: Humanhash.Failure.fewerBytesThanWords) { try Humanhash.humanize("ab") }
        #expect(throws: Humanhash.Failure.notHex) { try Humanhash.humanize("xyz") }
    }

    @Test func recognisesHumanhashes() {
        #expect(Humanhash.looksLikeHumanhash("texas-vermont"))
        #expect(!Humanhash.looksLikeHumanhash("texas"))
        #expect(!Humanhash.looksLikeHumanhash("texas-notaword"))
    }
}
