import FleetCore
import Testing

@Suite("Parallel map")
struct ParallelMapTests {
    struct Boom: Error {}

    @Test(arguments: [1, 3, 8, 64, 257, 1000])
    func anyChunkCountCoversEveryItemInOrder(_ chunks: Int) throws {
        for count in [0, 1, 257, 300, 1000, 1008] {
            let items = Array(0..<count)
            #expect(try parallelMap(items, threshold: 0, chunks: chunks) { $0 * 2 } == items.map { $0 * 2 })
        }
    }

    @Test func anErrorInAnyChunkIsThrown() {
        #expect(throws: Boom.self) {
            try parallelMap(Array(0..<1000)) { (n: Int) throws -> Int in
                if n == 777 { throw Boom() }
                return n
            }
        }
        #expect(parallelMap(Array(0..<10)) { $0 + 1 } == Array(1...10), "small inputs too")
    }
}
