import FleetCore
import Foundation
import Testing

@Suite("ROLLOUT in rows and queries")
struct RolloutColumnTests {
    static func rows() -> [HostRow] {
        var inputs = ReportInputs()
        inputs.now = Date(timeIntervalSince1970: 1_800_000_000)
        inputs.rollouts["a"] = RolloutMembership(rolloutID: "ro-20261202-ab12", stage: 0, state: .applied, rolloutState: .active)
        inputs.rollouts["b"] = RolloutMembership(rolloutID: "ro-20261202-ab12", stage: 1, state: .failed, rolloutState: .paused)
        inputs.rollouts["c"] = RolloutMembership(rolloutID: "ro-20261202-ab12", stage: nil, state: .pending, rolloutState: .active)
        inputs.rollouts["d"] = RolloutMembership(rolloutID: "ro-20261203-cd34", stage: 0, state: .applied, rolloutState: .active)
        let builder = RowBuilder(inputs: inputs)
        return ["a", "b", "c", "d", "e"].map { builder.row(for: $0, history: nil, worker: nil) }
    }

    @Test func cellsAndValues() {
        let r = Self.rows()
        #expect(r.map { $0[.rollout] } == ["ro-20261202-ab12:0", "ro-20261202-ab12:1", "ro-20261202-ab12:-", "ro-20261203-cd34:0", "-"])
        #expect(r[1].values.rolloutID == "ro-20261202-ab12" && r[1].values.rolloutStage == 1 && r[1].values.rolloutHostState == "failed")
        #expect(r[2].values.rolloutStage == nil && r[4].values.rolloutID == nil)
        #expect(ReportColumn.displayed.contains(.rollout) && ReportColumn.named("ROLLOUT") == .rollout)
    }

    @Test func rolloutEqualsTheIdWhateverTheStage() {
        let rows = Self.rows()
        #expect(Query("rollout=ro-20261202-ab12").apply(rows).map(\.host) == ["a", "b", "c"])
        #expect(Query("rollout=RO-20261202-AB12:1").apply(rows).map(\.host) == ["b"])
        #expect(Query("rollout!=ro-20261202-ab12").apply(rows).map(\.host) == ["d", "e"])
        #expect(Query("rollout=ro-20261202-ab12|ro-20261203-cd34").apply(rows).map(\.host) == ["a", "b", "c", "d"])
        #expect(Query("rollout=-").apply(rows).map(\.host) == ["e"])
        #expect(Query("rollout~cd34").apply(rows).map(\.host) == ["d"])
    }

    /// A rollout's change reaches a row without rebuilding it (what the live feed does).
    @Test func fillRolloutPatchesARow() {
        var row = Self.rows()[4]
        var inputs = ReportInputs()
        inputs.rollouts["e"] = RolloutMembership(rolloutID: "ro-20261204-ef56", stage: 2, state: .writing, rolloutState: .active)
        RowBuilder(inputs: inputs).fillRollout(&row)
        #expect(row[.rollout] == "ro-20261204-ef56:2" && row.values.rolloutHostState == "writing")
        RowBuilder(inputs: ReportInputs()).fillRollout(&row)
        #expect(row[.rollout] == "-" && row.values.rolloutID == nil)
    }
}
