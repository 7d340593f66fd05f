import FleetCore
import FleetReport
@testable import FleetTUI
import Foundation
import Testing

/// The header names the rollouts that hold hosts, shorter as the terminal narrows, and keeps
/// them after the name and the help hint have gone.
@Suite("Terminal view: rollouts in the header")
struct RolloutHeaderTests {
    /// Five targets, the canary applied (stage 1 of 3 at 50% a stage), optionally paused.
    static func rollout(_ id: String, paused: Bool = false) throws -> RolloutListItem {
        var r = try Rollout.plan(id: id, name: "n", created: Rollout.Stamp(ts: "2026-12-02T07:00:00+00:00", actor: "relops"),
                                 overrideSHA256: String(repeating: "a", count: 64), vaultSHA256: nil,
                                 targets: (1...5).map { "h\($0)" }, skipped: [], canary: 1, batchPct: 50, gates: .defaults)
        r = try r.started(at: "2026-12-02T07:01:00+00:00").written("h1", state: .applied, result: "OK", error: nil, at: "2026-12-02T07:02:00+00:00")
        if paused { r = try r.paused() }
        return RolloutListItem(r, latest: nil)
    }

    @Test func aWideHeaderNamesEachRollout() throws {
        var v = view(5, height: 10)
        v.version = "1.2"
        v.rollouts = [try Self.rollout("ro-20261202-0001"), try Self.rollout("ro-20261202-0002", paused: true)]
        let canvas = v.render()
        let top = canvas.text(0)
        #expect(top.hasPrefix("fleetroll 1.2 [? for help] rollout ro-20261202-0001: stage 1/3 waiting "
                              + "rollout ro-20261202-0002: stage 1/3 paused sort=host"))
        #expect(v.headerLines == 1)
        // Coloured by the rollout's verdict: active green, paused red.
        func column(_ text: String) -> Int { top.distance(from: top.startIndex, to: top.range(of: text)!.lowerBound) }
        let active = column("rollout ro-20261202-0001"), paused = column("rollout ro-20261202-0002")
        #expect(canvas.style(y: 0, x: active).fg == .green && canvas.style(y: 0, x: paused).fg == .red)
        #expect(canvas.style(y: 0, x: paused).bold)
    }

    @Test func narrowHeadersShortenTheRolloutsBeforeCuttingThem() throws {
        var v = view(5, width: 60, height: 10)
        v.version = "1.2"
        v.rollouts = [try Self.rollout("ro-20261202-0001")]
        let top = v.render().text(0)
        #expect(top.hasPrefix("fleetroll ro-20261202-0001 1/3 waiting sort=host"), "help and version go first")
        #expect(v.headerLines == 2)

        v.rollouts.append(try Self.rollout("ro-20261202-0002", paused: true))
        v.resize(width: 40, height: 10)
        #expect(v.render().text(0).hasPrefix("fleetroll [2 rollouts] sort=host"))
        // Tinier still: the count stays, what follows it is cut.
        v.resize(width: 26, height: 10)
        #expect(v.render().text(0).hasPrefix("fleetroll [2 rollouts]..."))
        for (w, h) in [(1, 1), (0, 0), (12, 3)] {
            v.resize(width: w, height: h)
            let canvas = v.render()
            #expect(canvas.lines.count == h && canvas.lines.allSatisfy { $0.count == w })
        }
    }

    @Test func noRolloutNoIndicator() {
        var v = view(5, height: 10)
        v.version = "1.2"
        #expect(v.render().text(0).hasPrefix("fleetroll 1.2 [? for help] sort=host"))
    }
}
