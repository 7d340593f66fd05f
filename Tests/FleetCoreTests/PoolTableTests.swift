import FleetCore
import Foundation
import Testing

@Suite("Worker pools")
struct PoolTableTests {
    let table = PoolTable.builtIn

    @Test func linuxAndMacRoles() {
        #expect(table.resolve(role: "gecko_t_linux_talos", workerTypeOverride: nil)
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "gecko-t-linux-talos-1804"), viaOverride: false))
        #expect(table.resolve(role: "gecko_t_osx_1500_m4", workerTypeOverride: nil)
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "gecko-t-osx-1500-m4"), viaOverride: false))
    }

    @Test func overridePoolWinsAndKeepsTheProvisioner() {
        #expect(table.resolve(role: "gecko_t_linux_talos", workerTypeOverride: "gecko-t-linux-talos-2404-bug2031822")
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "gecko-t-linux-talos-2404-bug2031822"), viaOverride: true))
        #expect(table.resolve(role: "unknown_role", workerTypeOverride: "x-pool")
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "x-pool"), viaOverride: true))
    }

    @Test func unknownRolesAreReportedNotSkipped() {
        guard case .unknown(let why) = table.resolve(role: "gecko_t_new_thing", workerTypeOverride: nil) else {
            Issue.record("resolved an unknown role"); return
        }
        #expect(why.contains("gecko_t_new_thing"))
        guard case .unknown = table.resolve(role: nil, workerTypeOverride: nil) else { Issue.record("resolved no role"); return }
    }

    @Test func configEntriesAddAndReplace() throws {
        let t = table.merging(["gecko_t_new_thing": try #require(WorkerPool("proj-x/new-pool")),
                               "gecko_t_linux_talos": try #require(WorkerPool("releng-hardware/gecko-t-linux-talos-1804-beta"))])
        #expect(t.resolve(role: "gecko_t_new_thing", workerTypeOverride: nil) == .pool(WorkerPool(provisioner: "proj-x", workerType: "new-pool"), viaOverride: false))
        #expect(t.resolve(role: "gecko_t_linux_talos", workerTypeOverride: nil)
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "gecko-t-linux-talos-1804-beta"), viaOverride: false))
    }

    @Test func windowsRolesComeFromWorkerTypes() {
        var t = table
        #expect(PoolTable.isWindowsStyleRole("win116424h2hwref"))
        #expect(!PoolTable.isWindowsStyleRole("gecko_t_linux_talos"))
        t.addWindowsWorkerTypes(["win11-64-24h2-hw-ref", "gecko-t-linux-talos-1804"])
        #expect(t.resolve(role: "win116424h2hwref", workerTypeOverride: nil)
                == .pool(WorkerPool(provisioner: "releng-hardware", workerType: "win11-64-24h2-hw-ref"), viaOverride: false))
        #expect(t.entries["gecko-t-linux-talos-1804".replacingOccurrences(of: "-", with: "")] == nil)
    }

    @Test(arguments: ["a/b", "releng-hardware/gecko-t-linux-talos-1804"])
    func poolNamesParse(_ text: String) { #expect(WorkerPool(text)?.description == text) }

    @Test(arguments: ["", "a", "a/b/c", "/b", "a/", "a b/c"])
    func badPoolNames(_ text: String) { #expect(WorkerPool(text) == nil) }

    @Test func quarantineIsAboutNow() {
        var r = WorkerRecord(type: .worker, ts: "", host: "h", workerId: "h")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(!r.isQuarantined(now: now))
        r.quarantineUntil = "2030-01-01T00:00:00.000Z"
        #expect(r.isQuarantined(now: now))
        r.quarantineUntil = "2020-01-01T00:00:00Z"
        #expect(!r.isQuarantined(now: now))
        r.quarantineUntil = "2030-01-01T00:00:00"
        #expect(r.isQuarantined(now: now), "a time without a zone is UTC")
    }

    @Test func workerIdIsTheShortName() throws {
        #expect(WorkerRecord.workerId(for: try HostTarget.parse("t-linux64-ms-016.test.releng.mdc1.mozilla.com")) == "t-linux64-ms-016")
        #expect(WorkerRecord.workerId(for: try HostTarget.parse("relops@macmini-m4-60.test.releng.mdc1.mozilla.com")) == "macmini-m4-60")
    }

    @Test func branchesToWatchComeFromOverrides() {
        let wanted = RepoName.branchesToWatch(overrideTexts: [
            "PUPPET_REPO=\"https://github.com/aerickson/ronin_puppet.git\"\nPUPPET_BRANCH=\"a/b\"\n",
            "PUPPET_REPO='git@github.com:aerickson/ronin_puppet.git'\nPUPPET_BRANCH=c\n",
            "# PUPPET_REPO=\"https://github.com/x/y.git\"\nPUPPET_BRANCH=\"nope\"\n",
            "PUPPET_REPO=\"https://gitlab.com/x/y.git\"\nPUPPET_BRANCH=\"z\"\n",
        ])
        #expect(wanted == [RepoName.ronin: ["master"], RepoName(owner: "aerickson", repo: "ronin_puppet"): ["a/b", "c"]])
    }
}
