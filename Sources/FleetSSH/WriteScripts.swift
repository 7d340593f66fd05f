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
/// (replaced), `NO_CHANGE` (the host already had this content, mode and owner), `BLOCKED` (a
/// different file is there and `guardExisting` is on, or a link or other non-file is there and
/// `replaceOther` is off), or `FAIL` with `ERROR=`.
///
/// Nothing but the regular file at the path is ever changed: a symbolic link there is never
/// followed (not by the reads, not by chmod or chown, not by the backup); with `replaceOther` the
/// link itself is replaced by a regular file and its target is left alone.
public struct WriteFileScript: Sendable {
    public var file: ManagedFile
    public var sha256: String
    public var ownership: FileOwnership
    public var backup: BackupPolicy
    /// Refuse to replace a file with different content (the override guard, off with --force).
    public var guardExisting: Bool
    /// Replace a symbolic link or other non-file at the path (--force); a directory never is.
    public var replaceOther: Bool

    public init(file: ManagedFile, sha256: String, ownership: FileOwnership, backup: BackupPolicy, guardExisting: Bool,
                replaceOther: Bool = false) {
        self.file = file; self.sha256 = sha256; self.ownership = ownership; self.backup = backup
        self.guardExisting = guardExisting; self.replaceOther = replaceOther
    }

    public var body: String {
        precondition(Digest.isSHA256Hex(sha256) && ownership.problem == nil && Self.isSuffix(backup.suffix))
        let group = ownership.group.map { "'\($0)'" } ?? "$group_auto"
        return """
        # fleetroll: replace the \(file.rawValue) file with stdin, verified by SHA-256
        \(RemoteShell.preamble)
        \(Self.helpers(backup, file: file))
        want='\(sha256)'
        mode='\(ownership.mode)'
        owner='\(ownership.owner)'
        group=\(group)
        guard_existing=\(guardExisting ? 1 : 0)
        replace_other=\(replaceOther ? 1 : 0)
        require_sudo
        tmp=''
        cleanup() { if [ -n "$tmp" ]; then $S rm -f "$tmp"; tmp=''; fi; }
        trap 'cleanup; stop_watchdog' EXIT
        trap 'exit 130' HUP INT TERM
        check_directory
        kind=$(kind_of "$target")
        emit EXISTING_KIND "$kind"
        same=0
        case "$kind" in
          missing) ;;
          file)
            cur=$(sha_of "$target" \(HostLimits.managedFileBytes)) || fail "cannot read the current $target"
            emit EXISTING_SHA256 "$cur"
            if [ "$cur" = "$want" ]; then
              if has_ownership "$target"; then
                emit CONTENT_CHANGED 0
                emit RESULT NO_CHANGE
                end
                exit 0
              fi
              # Right content, wrong mode or owner: a fresh copy is put in place rather than
              # chmod/chown on the path, which a link swapped in meanwhile would redirect.
              same=1
            elif [ "$guard_existing" = 1 ]; then
              emit RESULT BLOCKED
              end
              exit 0
            fi ;;
          directory) fail "$target is a directory; fleetroll only replaces files" ;;
          *)
            if [ "$replace_other" != 1 ]; then
              emit RESULT BLOCKED
              end
              exit 0
            fi ;;
        esac
        tmp=$($S mktemp "$dir/\(file.tempName)") || fail "cannot create a temporary file in $dir"
        $S tee "$tmp" >/dev/null || fail "cannot write the temporary file in $dir (disk full?)"
        got=$(sha_of "$tmp" \(HostLimits.managedFileBytes)) || fail "cannot hash the temporary file"
        if [ "$got" != "$want" ]; then
          fail "the content arrived incomplete or altered (sha256 $got, expected $want); $target is untouched"
        fi
        $S chmod "$mode" "$tmp" && $S chown "$owner:$group" "$tmp" || fail "cannot set mode $mode and owner $owner:$group"
        if [ "$same" = 0 ]; then take_backup; fi
        still_connected
        commit "$tmp" || fail "cannot move the new file into place at $target"
        tmp=''
        emit CONTENT_CHANGED $(( 1 - same ))
        emit BACKUP_CREATED "$bak"
        prune_backups
        if [ "$same" = 1 ]; then emit RESULT NO_CHANGE; else emit RESULT OK; fi
        end
        """
    }

    static func isSuffix(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }

    /// What the write and remove scripts share: `fail`, the directory check, the backup (a hard
    /// link), the commit, and the pruning of old backups.
    static func helpers(_ backup: BackupPolicy, file: ManagedFile) -> String {
        """
        # A dropped connection must not kill the script before it cleans up: writing to the closed
        # stdout then fails with EPIPE instead of ending the shell.
        trap '' PIPE
        fail() {
          if command -v cleanup >/dev/null 2>&1; then cleanup; fi
          emit RESULT FAIL 2>/dev/null; emit ERROR "$1" 2>/dev/null; end 2>/dev/null; exit 1
        }
        target=\(file.pathVariable)
        dir=${target%/*}
        backup=\(backup.enabled ? 1 : 0)
        suffix='\(backup.suffix)'
        bak=''
        # check_directory: the target's directory is a real directory (created when missing), not
        # a link that would take the write somewhere else.
        check_directory() {
          dkind=$(kind_of "$dir")
          case "$dkind" in
            directory) ;;
            missing) $S mkdir -p -m 0755 "$dir" || fail "cannot create the directory $dir" ;;
            *) fail "$dir is not a directory (it is a $dkind); fleetroll does not write through it" ;;
          esac
        }
        # has_ownership FILE: FILE already has the mode, owner and group asked for.
        has_ownership() {
          if [ "$os" = Darwin ]; then o=$($S stat -f '%p %Su %Sg' "$1" 2>/dev/null) || return 1
          else o=$($S stat -c '%a %U %G' "$1" 2>/dev/null) || return 1; fi
          set -f
          set -- $o
          set +f
          [ $# -eq 3 ] || return 1
          m=$1
          [ ${#m} -gt 4 ] && m=${m#"${m%????}"}
          case "$m" in '' | *[!0-7]*) return 1 ;; esac
          [ $(( 0$m )) -eq $(( 0$mode )) ] && [ "$2" = "$owner" ] && [ "$3" = "$group" ]
        }
        # take_backup: keep what is at the target as TARGET.bak.SUFFIX, as a hard link made before the
        # target is replaced: the old file lives on under that name with its mode, owner and times.
        # link(2) never follows a link and never writes through an existing name, so a link planted
        # at the backup's name cannot redirect it (cp -p would write through it, and copy a link's
        # target instead of the link).
        take_backup() {
          [ "$backup" = 1 ] || return 0
          [ "$kind" != missing ] || return 0
          bak="$target.bak.$suffix"
          $S ln -P "$target" "$bak" 2>/dev/null && return 0
          bak="$bak.$$"
          $S ln -P "$target" "$bak" 2>/dev/null && return 0
          bak=''
          fail "cannot back up $target (a hard link next to it could not be made)"
        }
        # still_connected: the session that asked for this change is still there. When fleetroll or
        # its ssh was killed, sshd has closed our stdout and writing to it fails (SIGPIPE is
        # ignored): the change is then not made, so nothing changes that fleetroll cannot record.
        still_connected() {
          if ! emit COMMITTING 1 2>/dev/null; then
            if command -v cleanup >/dev/null 2>&1; then cleanup; fi
            # The backup just made is a second name of the unchanged file: it goes too.
            if [ -n "$bak" ]; then $S rm -f "$bak"; fi
            exit 1
          fi
        }
        # GNU mv -T never moves into a directory or through a link at the target; BSD mv has no -T,
        # so there a link (or other non-file) at the target is removed first.
        if mv --help 2>&1 | grep -q -e --no-target-directory; then mv_t=1; else mv_t=0; fi
        # commit FILE: rename FILE over the target.
        commit() {
          if [ "$mv_t" = 1 ]; then
            $S mv -f -T "$1" "$target" || return 1
          else
            if [ "$kind" != file ] && [ "$kind" != missing ]; then $S rm -f "$target" || return 1; fi
            $S mv -f "$1" "$target" || return 1
            # A directory swapped in meanwhile would have taken the file inside it.
            if $S test -d "$target"; then
              $S rm -f "$target/${1##*/}"
              fail "$target turned into a directory while it was being replaced; nothing was replaced"
            fi
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
/// when there was no file, `BLOCKED` when a link or other non-file is there (removed, the link
/// only, with `removeOther`), or `FAIL`; a failing sudo is a failure, never "there was no file".
public struct RemoveFileScript: Sendable {
    public var file: ManagedFile
    public var backup: BackupPolicy
    public var removeOther: Bool

    public init(file: ManagedFile, backup: BackupPolicy, removeOther: Bool = false) {
        self.file = file; self.backup = backup; self.removeOther = removeOther
    }

    public var body: String {
        precondition(WriteFileScript.isSuffix(backup.suffix))
        return """
        # fleetroll: remove the \(file.rawValue) file, keeping a backup
        \(RemoteShell.preamble)
        \(WriteFileScript.helpers(backup, file: file))
        remove_other=\(removeOther ? 1 : 0)
        require_sudo
        kind=$(kind_of "$target")
        emit EXISTING_KIND "$kind"
        case "$kind" in
          missing)
            emit REMOVED 0
            emit RESULT NO_CHANGE
            end
            exit 0 ;;
          file) emit EXISTING_SHA256 "$(sha_of "$target" \(HostLimits.managedFileBytes))" ;;
          directory) fail "$target is a directory; fleetroll only removes files" ;;
          *)
            if [ "$remove_other" != 1 ]; then
              emit RESULT BLOCKED
              end
              exit 0
            fi ;;
        esac
        take_backup
        still_connected
        $S rm -f "$target" || fail "cannot remove $target"
        if [ "$(kind_of "$target")" != missing ]; then fail "$target is still there after rm"; fi
        emit REMOVED 1
        emit BACKUP_CREATED "$bak"
        prune_backups
        emit RESULT OK
        end
        """
    }
}

/// Reads back what a managed file is after a write whose session ended before the host answered:
/// its kind and SHA-256 (`KIND=`, `SHA256=`). A write still running on the host (its temporary
/// file is there) is waited for, up to `waitSeconds`; after that `IN_FLIGHT=1`.
public struct CheckFileScript: Sendable {
    public var file: ManagedFile
    public var waitSeconds = 10

    public init(file: ManagedFile) { self.file = file }

    public var body: String {
        """
        # fleetroll: read back the \(file.rawValue) file after an interrupted write
        \(RemoteShell.preamble)
        target=\(file.pathVariable)
        dir=${target%/*}
        require_sudo
        in_flight() {
          $S sh -c 'for f in "$1"/\(file.tempName.replacingOccurrences(of: "XXXXXX", with: "*")); do if [ -e "$f" ]; then echo x; break; fi; done' sh "$dir"
        }
        n=0
        while [ -n "$(in_flight)" ]; do
          if [ $n -ge \(waitSeconds) ]; then emit IN_FLIGHT 1; break; fi
          sleep 1
          n=$((n + 1))
        done
        kind=$(kind_of "$target")
        emit KIND "$kind"
        if [ "$kind" = file ]; then
          if sha=$(sha_of "$target" \(HostLimits.managedFileBytes)); then emit SHA256 "$sha"; fi
        fi
        end
        """
    }
}
