/// Two (or more) words for a hex digest, so people can say "texas-vermont" instead of a SHA-256.
/// This is zacharyvoase/humanhash, as the old fleetroll used it; the word list and the
/// compression must not change, or stored names stop matching.
public enum Humanhash {
    public enum Failure: Error, Equatable {
        case notHex
        case fewerBytesThanWords
    }

    /// `hexdigest` → `words` words joined by `separator`. An odd trailing nibble is its own value.
    public static func humanize(_ hexdigest: String, words: Int = 2, separator: String = "-") throws(Failure) -> String {
        var bytes: [UInt8] = []
        var chars = Array(hexdigest.utf8)
        guard chars.allSatisfy({ hexValue($0) != nil }) else { throw .notHex }
        while !chars.isEmpty {
            let pair = chars.prefix(2)
            chars.removeFirst(pair.count)
            bytes.append(pair.reduce(0) { $0 * 16 + hexValue($1)! })
        }
        guard words >= 1, words <= bytes.count else { throw .fewerBytesThanWords }
        let segment = bytes.count / words
        var values: [UInt8] = []
        for i in 0..<words {
            let end = i == words - 1 ? bytes.count : (i + 1) * segment
            values.append(bytes[(i * segment)..<end].reduce(0, ^))
        }
        return values.map { wordlist[Int($0)] }.joined(separator: separator)
    }

    /// True when `text` has the shape of a humanhash (lower-case words from the list, dashes).
    public static func looksLikeHumanhash(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.allSatisfy { wordSet.contains(String($0)) }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    private static let wordSet = Set(wordlist)

    public static let wordlist: [String] = """
        ack alabama alanine alaska alpha angel apart april arizona arkansas artist asparagus aspen august autumn avocado \
        bacon bakerloo batman beer berlin beryllium black blossom blue bluebird bravo bulldog burger butter california carbon \
        cardinal carolina carpet cat ceiling charlie chicken coffee cola cold colorado comet connecticut crazy cup dakota \
        december delaware delta diet don double early earth east echo edward eight eighteen eleven emma enemy \
        equal failed fanta fifteen fillet finch fish five fix floor florida football four fourteen foxtrot freddie \
        friend fruit gee georgia glucose golf green grey hamper happy harry hawaii helium high hot hotel \
        hydrogen idaho illinois india indigo ink iowa island item jersey jig johnny juliet july jupiter kansas \
        kentucky kilo king kitten lactose lake lamp lemon leopard lima lion lithium london louisiana low magazine \
        magnesium maine mango march mars maryland massachusetts may mexico michigan mike minnesota mirror mississippi missouri mobile \
        mockingbird monkey montana moon mountain muppet music nebraska neptune network nevada nine nineteen nitrogen north november \
        nuts october ohio oklahoma one orange oranges oregon oscar oven oxygen papa paris pasta pennsylvania pip \
        pizza pluto potato princess purple quebec queen quiet red river robert robin romeo rugby sad salami \
        saturn september seven seventeen shade sierra single sink six sixteen skylark snake social sodium solar south \
        spaghetti speaker spring stairway steak stream summer sweet table tango ten tennessee tennis texas thirteen three \
        timing triple twelve twenty two uncle undress uniform uranus utah vegan venus vermont victor video violet \
        virginia washington west whiskey white william winner winter wisconsin wolfram wyoming xray yankee yellow zebra zulu
        """.split(separator: " ").map(String.init)
}
