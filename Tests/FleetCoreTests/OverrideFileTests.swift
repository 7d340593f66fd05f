import FleetCore
import Testing

@Suite("Override files")
struct OverrideFileTests {
    static let generated = """
        # If you place this file at `/etc/puppet/ronin_settings`
        # the `run-puppet.sh` script will use the values here.

        # puppet overrides
        PUPPET_REPO="https://github.com/aerickson/ronin_puppet.git"
        # PUPPET_REPO="https://github.com/other/ronin_puppet.git"
        PUPPET_BRANCH="aerickson/san-juan"
        PUPPET_MAIL="aerickson@mozilla.com"

        # taskcluster overrides
        # WORKER_TYPE_OVERRIDE='gecko-t-linux-talos-1804-staging'

        """

    @Test func readsTheGeneratedTemplate() throws {
        let f = OverrideFile(text: Self.generated)
        #expect(f.puppetRepo == "https://github.com/aerickson/ronin_puppet.git")
        #expect(f.puppetBranch == "aerickson/san-juan")
        #expect(f.puppetMail == "aerickson@mozilla.com")
        #expect(f.workerTypeOverride == nil, "commented lines are not assignments")
        let gh = try #require(f.githubRepository)
        #expect(gh.owner == "aerickson")
        #expect(gh.repo == "ronin_puppet")
        #expect(f.assignment("PUPPET_BRANCH")?.line == 7)
        #expect(OverrideRules.check(f).isEmpty)
    }

    @Test func quotingStylesAndLastAssignmentWins() {
        let f = OverrideFile(text: """
            PUPPET_BRANCH='old'
              export PUPPET_BRANCH=new-branch   # moved
            WORKER_TYPE_OVERRIDE="first"
            WORKER_TYPE_OVERRIDE=gecko-t-linux-talos-2404-bug2031822
            PUPPET_MAIL="a"'@'b.org
            """)
        #expect(f.puppetBranch == "new-branch")
        #expect(f.assignment("PUPPET_BRANCH")?.line == 2)
        #expect(f.workerTypeOverride == "gecko-t-linux-talos-2404-bug2031822")
        #expect(f.puppetMail == "a@b.org")
    }

    @Test func gitSSHURLs() throws {
        let f = OverrideFile(text: "PUPPET_REPO=git@github.com:mozilla-platform-ops/ronin_puppet.git\n")
        let gh = try #require(f.githubRepository)
        #expect(gh.owner == "mozilla-platform-ops")
        #expect(OverrideRules.check(f).isEmpty)
    }

    @Test(arguments: [
        ("PUPPET_REPO='https://example.com/x'", "must end with '.git'"),
        ("PUPPET_REPO=ftp://example.com/x.git", "valid git URL"),
        ("PUPPET_REPO=https://github.com/a/ronin_puppet", "must end with '.git'"),
        ("PUPPET_BRANCH='has spaces'", "PUPPET_BRANCH contains invalid characters"),
        ("PUPPET_BRANCH=", "PUPPET_BRANCH contains invalid characters"),
        ("PUPPET_BRANCH=a..b", "PUPPET_BRANCH contains invalid characters"),
        ("PUPPET_MAIL=not-an-email", "PUPPET_MAIL must be a valid email address"),
        ("WORKER_TYPE_OVERRIDE='invalid value with spaces!'", "WORKER_TYPE_OVERRIDE contains invalid characters"),
        ("WORKER_TYPE_OVERRIDE=gecko_t_linux", "WORKER_TYPE_OVERRIDE contains invalid characters"),
        ("PUPPET_BRANCH=\"$(curl evil)\"", "must be a literal value"),
        ("PUPPET_BRANCH=`id`", "must be a literal value"),
        ("PUPPET_BRANCH=\"ok\n$(curl evil)\"", "must be on one line"),
        ("WORKER_TYPE_OVERRIDE='pool\nmore'", "must be on one line"),
        ("PUPPET_BRANCH=ok\\\nmore", "must be on one line"),
    ])
    func rejects(_ line: String, _ message: String) {
        let problems = OverrideRules.check(OverrideFile(text: "# header\n" + line + "\n"))
        #expect(problems.count == 1)
        #expect(problems.first?.line == 2)
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
    }

    @Test(arguments: [
        "PUPPET_BRANCH=feature/RELOPS-123_test-branch", "PUPPET_BRANCH=release-1.2",
        "WORKER_TYPE_OVERRIDE='gecko-t-linux-talos-1804-staging'", "# WORKER_TYPE_OVERRIDE='invalid value!'",
        "PUPPET_REPO='https://github.com/a/ronin_puppet.git'", "OTHER_KEY=$(anything)", "test",
    ])
    func accepts(_ line: String) {
        #expect(OverrideRules.check(OverrideFile(text: line + "\n")).isEmpty)
    }

    @Test func lastAssignmentIsTheOneChecked() {
        let f = OverrideFile(text: "PUPPET_BRANCH='bad branch'\nPUPPET_BRANCH=good\n")
        #expect(OverrideRules.check(f).isEmpty)
        let g = OverrideFile(text: "WORKER_TYPE_OVERRIDE=good\nWORKER_TYPE_OVERRIDE='bad one'\n")
        #expect(OverrideRules.check(g).first?.line == 2)
    }
}
