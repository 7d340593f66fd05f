import FleetCore

/// Which managed file a write touches. The remote side picks the path for its OS.
public enum ManagedFile: String, Sendable, Codable {
    case override
    case vault

    /// The shell variable the preamble sets to this file's path on the host.
    var pathVariable: String { self == .override ? "$ovr" : "$vlt" }
    var tempName: String { self == .override ? ".ronin_settings.tmp.XXXXXX" : ".vault.tmp.XXXXXX" }
}

/// Mode, owner and group for a written file. Values are checked before they reach a script.
public struct FileOwnership: Sendable, Equatable {
    public var mode: String
    public var owner: String
    /// nil: `wheel` on macOS, `root` elsewhere.
    public var group: String?

    public init(mode: String, owner: String = "root", group: String? = nil) {
        self.mode = mode; self.owner = owner; self.group = group
    }

    /// Why these values cannot be used, or nil.
    public var problem: String? {
        if !(3...4).contains(mode.count) || !mode.allSatisfy({ ("0"..."7").contains($0) }) {
            return "--mode must be 3 or 4 octal digits, e.g. 0644. Got: '\(mode)'"
        }
        for (option, name) in [("--owner", owner), ("--group", group ?? "root")] where !Self.isAccountName(name) {
            return "\(option) must be a user or group name (letters, digits, '_', '-', '.'). Got: '\(name)'"
        }
        return nil
    }

    static func isAccountName(_ s: String) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLetter), s.count <= 32 else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
    }
}

/// Common settings of the two write scripts.
public struct BackupPolicy: Sendable {
    public var enabled: Bool
    /// `YYYYmmddTHHMMSSZ`, the old tool's backup suffix format.
    public var suffix: String
    /// Backups kept per file; older ones are removed after each write.
    public var keep = 30

    public init(enabled: Bool, suffix: String) {
        self.enabled = enabled; self.suffix = suffix
    }
}

/// Replaces a managed file with the bytes sent on stdin, atomically and verified.
///
/// The content goes to a temporary file in the target's directory; only when its SHA-256 equals
/// the one fleetroll sent is it renamed over the target. A cut connection, a full disk or a
/// wrong byte therefore leaves the old file exactly as it was. Outcome lines: `RESULT=OK`
/// (replaced), `NO_CHANGE` (the host already had this content; mode and owner are still set),
/// `BLOCKED` (a different file is there and `guardExisting` is on), or `FAIL` with `ERROR=`.
public struct WriteFileScript: Sendable {
    public var file: ManagedFile
    public var sha256: String
    public var ownership: FileOwnership
    public var backup: BackupPolicy
    /// Refuse to replace a file with different content (the override guard, off with --force).
    public var guardExisting: Bool

    public init(file: ManagedFile, sha256: String, ownership: FileOwnership, backup: BackupPolicy, guardExisting: Bool) {
        self.file = file; self.sha256 = sha256; self.ownership = ownership; self.backup = backup
        self.guardExisting = guardExisting
    }

    public var body: String {
        precondition(Digest.isSHA256Hex(sha256) && ownership.problem == nil && Self.isSuffix(backup.suffix))
        let group = ownership.group.map { "'\($0)'" } ?? "$group_auto"
        return """
        # fleetroll: replace the \(file.rawValue) file with stdin, verified by SHA-256
        \(RemoteShell.preamble)
        \(Self.helpers(backup))
        target=\(file.pathVariable)
        want='\(sha256)'
        mode='\(ownership.mode)'
        owner='\(ownership.owner)'
        group=\(group)
        guard_existing=\(guardExisting ? 1 : 0)
        require_sudo
        tmp=''
        cleanup() { if [ -n "$tmp" ]; then $S rm -f "$tmp"; tmp=''; fi; }
        trap cleanup EXIT
        trap 'exit 130' HUP INT TERM
        dir=${target%/*}
        if ! $S test -d "$dir"; then
          $S mkdir -p -m 0755 "$dir" || fail "cannot create the directory $dir"
        fi
        if $S test -e "$target"; then
          cur=$(sha_of "$target") || fail "cannot read the current $target"
          emit EXISTING_SHA256 "$cur"
          if [ "$cur" = "$want" ]; then
            $S chmod "$mode" "$target" && $S chown "$owner:$group" "$target" || fail "cannot set mode and owner of $target"
            emit CONTENT_CHANGED 0
            emit RESULT NO_CHANGE
            end
            exit 0
          fi
          if [ "$guard_existing" = 1 ]; then
            emit RESULT BLOCKED
            end
            exit 0
          fi
        fi
        tmp=$($S mktemp "$dir/\(file.tempName)") || fail "cannot create a temporary file in $dir"
        $S tee "$tmp" >/dev/null || fail "cannot write the temporary file in $dir (disk full?)"
        got=$(sha_of "$tmp") || fail "cannot hash the temporary file"
        if [ "$got" != "$want" ]; then
          fail "the content arrived incomplete or altered (sha256 $got, expected $want); $target is untouched"
        fi
        $S chmod "$mode" "$tmp" && $S chown "$owner:$group" "$tmp" || fail "cannot set mode $mode and owner $owner:$group"
        take_backup
        $S mv -f "$tmp" "$target" || fail "cannot move the new file into place at $target"
        tmp=''
        emit CONTENT_CHANGED 1
        emit BACKUP_CREATED "$bak"
        prune_backups
        emit RESULT OK
        end
        """
    }

    static func isSuffix(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }

    /// `fail`, `take_backup` and `prune_backups`, shared with the remove script.
    static func helpers(_ backup: BackupPolicy) -> String {
        """
        # A dropped connection must not kill the script before it cleans up: writing to the closed
        # stdout then fails with EPIPE instead of ending the shell.
        trap '' PIPE
        fail() {
          if command -v cleanup >/dev/null 2>&1; then cleanup; fi
          emit RESULT FAIL 2>/dev/null; emit ERROR "$1" 2>/dev/null; end 2>/dev/null; exit 1
        }
        backup=\(backup.enabled ? 1 : 0)
        suffix='\(backup.suffix)'
        bak=''
        # take_backup: copy the current target (mode, owner and times kept) to TARGET.bak.SUFFIX.
        take_backup() {
          [ "$backup" = 1 ] || return 0
          $S test -e "$target" || return 0
          bak="$target.bak.$suffix"
          if $S test -e "$bak"; then bak="$bak.$$"; fi
          if ! $S cp -p "$target" "$bak"; then
            $S rm -f "$bak"
            fail "cannot back up $target to $bak"
          fi
        }
        # prune_backups: keep the newest \(backup.keep) backups; the suffix sorts by time. The target is
        # passed to the inner shell as an argument (the old tool lost it there and never pruned).
        prune_backups() {
          [ "$backup" = 1 ] || return 0
          n=$($S sh -c 'ls -1d "$1".bak.* 2>/dev/null | sort -r | tail -n +\(backup.keep + 1) | while IFS= read -r f; do rm -f "$f" && echo "$f"; done | wc -l' sh "$target") || n=0
          emit BACKUPS_PRUNED "$(echo $n)"
        }
        """
    }
}

/// Removes a managed file after backing it up. `RESULT=OK` with `REMOVED=1`, `RESULT=NO_CHANGE`
/// when there was no file, or `FAIL`; a failing sudo is a failure, never "there was no file".
public struct RemoveFileScript: Sendable {
    public var file: ManagedFile
    public var backup: BackupPolicy

    public init(file: ManagedFile, backup: BackupPolicy) {
        self.file = file; self.backup = backup
    }

    public var body: String {
        precondition(WriteFileScript.isSuffix(backup.suffix))
        return """
        # fleetroll: remove the \(file.rawValue) file, keeping a backup
        \(RemoteShell.preamble)
        \(WriteFileScript.helpers(backup))
        target=\(file.pathVariable)
        require_sudo
        if ! $S test -e "$target"; then
          emit REMOVED 0
          emit RESULT NO_CHANGE
          end
          exit 0
        fi
        emit EXISTING_SHA256 "$(sha_of "$target")"
        take_backup
        $S rm -f "$target" || fail "cannot remove $target"
        if $S test -e "$target"; then fail "$target is still there after rm"; fi
        emit REMOVED 1
        emit BACKUP_CREATED "$bak"
        prune_backups
        emit RESULT OK
        end
        """
    }
}
