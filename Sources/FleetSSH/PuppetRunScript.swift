import FleetCore

/// The remote side of `host-run-puppet`: one attempt of the host's puppet wrapper, bounded in
/// time on the host itself, with its exit status reported so that nothing puppet prints can
/// be mistaken for it.
///
/// It runs in a pseudo-terminal (`ssh -tt`), set to a fixed size so puppet's pretty printing
/// does not depend on the operator's terminal. Before the wrapper it checks `sudo -n` and that
/// the wrapper is there, so those failures are told apart from a failed puppet run.
///
/// Status: the script prints lines `FLEETROLL-<nonce> <word>` (`started`, `sudo`, `missing`,
/// `timeout`, `exit <n>`). The nonce is 128 random bits chosen per run, so puppet's output can
/// not contain such a line by chance (the old tool read the first `EXIT=` line, which puppet
/// output could print itself).
///
/// Time limit: a watchdog sends TERM to the run after `timeLimit` seconds, then KILL 5 s later.
/// It runs in a process group of its own (perl's setpgrp, else setsid(1)): sudo (with `use_pty`, the default on current Debian
/// and Ubuntu) ignores signals from processes of its own process group, so a `kill 0` from the
/// session never reaches the command; sent from outside, sudo passes TERM on to the command's
/// whole process group. When the session goes away (fleetroll's ssh ended by Ctrl-C or its own
/// time limit), the terminal hangs up and the kernel's SIGHUP ends the run the same way.
public struct PuppetRunScript: Sendable {
    /// Where the host kit's wrapper lives, on Linux and macOS alike (README, host-kit).
    public static let wrapperPath = "/usr/local/bin/run-puppet.sh"
    public static let columns = 120
    public static let rows = 50

    public let nonce: String
    public var timeLimit: Int
    public var wrapper = wrapperPath

    public init(timeLimit: Int, nonce: String = PuppetRunScript.randomNonce()) {
        self.timeLimit = max(1, timeLimit)
        self.nonce = nonce
    }

    public static func randomNonce() -> String {
        (0..<2).map { _ in
            let hex = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    var marker: String { "FLEETROLL-\(nonce)" }

    /// What a status line says.
    public enum Mark: Equatable, Sendable {
        case started, sudo, missing, timeout
        case exit(Int)
    }

    /// The mark `line` carries, if it is one of this run's status lines (trailing CRs allowed:
    /// the terminal ends lines with CR LF).
    public func mark(_ line: String) -> Mark? {
        var text = Substring(line)
        while text.hasSuffix("\r") { text = text.dropLast() }
        guard text.hasPrefix(marker + " ") else { return nil }
        let word = text.dropFirst(marker.count + 1)
        switch word {
        case "started": return .started
        case "sudo": return .sudo
        case "missing": return .missing
        case "timeout": return .timeout
        default:
            guard word.hasPrefix("exit "), let n = Int(word.dropFirst(5)), n >= 0 else { return nil }
            return .exit(n)
        }
    }

    public var body: String {
        """
        set -u
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}
        m='\(marker)'
        # A status line starts on a line of its own, whatever the output before it left.
        mark() { printf '\\n%s %s\\n' "$m" "$1"; }
        stty cols \(Self.columns) rows \(Self.rows) 2>/dev/null || true
        w=\(ShellQuoting.quote(wrapper))
        if [ "$(id -u)" = 0 ]; then S=''; else S='sudo -n'; fi
        if [ -n "$S" ] && ! err=$(sudo -n true 2>&1 </dev/null); then
          printf '%s\\n' "$err" | head -n 3
          mark sudo
          exit 0
        fi
        if ! $S test -f "$w" || ! $S test -x "$w"; then
          echo "fleetroll: $w is not on this host (or not executable)"
          mark missing
          exit 0
        fi
        # own_group CMD...: becomes CMD in a process group of its own, keeping its pid (run it in
        # a background subshell: `( own_group ... ) &`, and $! is CMD's pid and group). perl's
        # setpgrp never forks; setsid(1), where there is no perl, does not either in a shell
        # without job control.
        own_group() {
          if command -v perl >/dev/null 2>&1; then exec perl -e 'setpgrp(0, 0); exec @ARGV or die "exec: $!\\n"' "$@"
          elif command -v setsid >/dev/null 2>&1; then exec setsid "$@"
          else exec "$@"; fi
        }
        mark started
        if [ -n "$S" ]; then
          # sudo passes TERM on to the wrapper's process group: signal sudo itself.
          $S env FLEETROLL_SINGLE_RUN=1 "$w" </dev/null &
          run=$!; target=$run
        else
          # Logged in as root: the wrapper's own group, so one signal reaches all it started.
          ( own_group env FLEETROLL_SINGLE_RUN=1 "$w" </dev/null ) &
          run=$!; target=-$run
        fi
        # The watchdog ends the run after the time limit, or as soon as this session goes away
        # without saying the run is over.
        ( own_group sh -c '
          limit=$1 main=$2 target=$3 m=$4
          stop() { kill -s "$1" -- "$target" 2>/dev/null || kill -s "$1" -- "${target#-}" 2>/dev/null; }
          i=0
          while [ "$i" -lt "$limit" ]; do
            sleep 1
            if ! kill -0 "$main" 2>/dev/null; then stop TERM; exit 0; fi
            i=$((i + 1))
          done
          printf "\\n%s timeout\\n" "$m"
          stop TERM
          i=0
          while [ "$i" -lt 5 ]; do sleep 1; kill -0 -- "${target#-}" 2>/dev/null || exit 0; i=$((i + 1)); done
          stop KILL
        ' fleetroll-watchdog "\(timeLimit)" "$$" "$target" "$m" </dev/null 2>/dev/null ) &
        watchdog=$!
        wait "$run"
        rc=$?
        kill "$watchdog" 2>/dev/null
        mark "exit $rc"
        exit 0
        """
    }
}
