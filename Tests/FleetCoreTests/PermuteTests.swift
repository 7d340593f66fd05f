import FleetCore
import Testing

@Suite("In-place permutation")
struct PermuteTests {
    @Test func permutingInPlaceGivesWhatMappingGives() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 10, 257, 1000] {
            for _ in 0..<20 {
                let items = (0..<count).map { "host-\($0)" }
                let order = Array(0..<count).shuffled(using: &generator)
                var permuted = items
                permuted.permute(order)
                #expect(permuted == order.map { items[$0] })
            }
        }
    }

    @Test func naturalOrderAppliedInPlace() {
        var names = ["ms-10", "ms-2", "MS-1", "ms-02"]
        names.permute(NaturalOrder.permutation(names))
        #expect(names == names.naturallySorted { $0 })
    }
}
