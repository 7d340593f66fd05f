import FleetCore
import Testing

@Suite("Duration display steps")
struct DisplayStepTests {
    /// The live view remakes an aging cell only when its step changes, so the step must change
    /// whenever the text does (it may change more often: past a day the text shows hours, the
    /// step counts minutes, and the cell is made again once a minute for nothing).
    @Test(arguments: [false, true])
    func theStepChangesWheneverTheTextDoes(_ minutes: Bool) {
        var previous = (Durations.humanize(0, minUnitMinutes: minutes), Durations.displayStep(0, minUnitMinutes: minutes))
        var missed: [Int] = []
        for s in Array(1...7200) + Array(stride(from: 7200, through: 200 * 86400, by: 59)) {
            let now = (Durations.humanize(s, minUnitMinutes: minutes), Durations.displayStep(s, minUnitMinutes: minutes))
            if now.0 != previous.0 && now.1 == previous.1 { missed.append(s) }
            previous = now
        }
        #expect(missed.isEmpty, "the text changed but not the step at \(missed.prefix(5)) s")
    }
}
