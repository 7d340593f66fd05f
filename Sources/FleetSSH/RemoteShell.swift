import FleetCore

/// The start every remote script shares: the output helpers, the OS and its paths, how to get
/// privileges, and the SHA-256 tool. POSIX `sh` only: it runs under dash, bash-as-sh and macOS sh.
enum RemoteShell {
    static let preamble = """
        set -u
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}
        \(watchdog)
        nl='
        '
        cr=$(printf '\\r')
        b64() { base64 | tr -d '\\n\\r'; }
        # emit KEY VALUE: one protocol line. A value with a line break in it (a host name, a message)
        # travels as KEY~=<base64>, so no value can ever start a line of its own.
        emit() {
          case "$2" in
            *"$nl"* | *"$cr"*) printf '%s~=%s\\n' "$1" "$(printf '%s' "$2" | b64)" ;;
            *) printf '%s=%s\\n' "$1" "$2" ;;
          esac
        }
        end() { echo '\(RemoteProtocol.endMarker)'; }
        echo '\(RemoteProtocol.startLine)'
        os=$(uname -s 2>/dev/null) || os=unknown
        emit OS_TYPE "$os"
        case "$os" in
          Darwin)
            ovr='/opt/puppet_environments/ronin_settings'
            vlt='/var/root/vault.yaml'
            ppj='/opt/puppet_environments/last_run_metadata.json'
            group_auto=wheel ;;
          *)
            ovr='/etc/puppet/ronin_settings'
            vlt='/root/vault.yaml'
            ppj='/etc/puppet/last_run_metadata.json'
            group_auto=root ;;
        esac
        # Privileged commands go through sudo -n, unless the login user is root already.
        if [ "$(id -u)" = 0 ]; then S=''; else S='sudo -n'; fi
        # require_sudo: stop here, saying why, when sudo -n cannot be used.
        require_sudo() {
          if [ -z "$S" ]; then emit SUDO_OK 1; return 0; fi
          if err=$(sudo -n true 2>&1 </dev/null); then
            emit SUDO_OK 1
          else
            emit SUDO_OK 0
            emit SUDO_ERROR "$(printf '%s' "$err" | head -n 1)"
            end
            exit 0
          fi
        }
        # kind_of PATH...: one word per path, looked at with privileges and without following a
        # link: file, symlink, directory, fifo, device, socket, other or missing.
        kind_of() {
          $S sh -c 'for p; do
            if [ -L "$p" ]; then k=symlink; elif [ -f "$p" ]; then k=file; elif [ -d "$p" ]; then k=directory
            elif [ -p "$p" ]; then k=fifo; elif [ -b "$p" ] || [ -c "$p" ]; then k=device
            elif [ -S "$p" ]; then k=socket; elif [ -e "$p" ]; then k=other; else k=missing; fi
            echo "$k"
          done' sh "$@"
        }
        # GNU dd can refuse to open a link (iflag=nofollow); elsewhere (BSD dd) the kind check just
        # before each read is what keeps links out.
        if dd if=/dev/null of=/dev/null iflag=nofollow 2>/dev/null; then nofollow='iflag=nofollow'; else nofollow=''; fi
        # read_file FILE MAX: FILE's bytes, at most a block more than MAX, read with privileges and
        # never through a link. A bigger file is cut short: the caller checks the size.
        read_file() { $S dd if="$1" bs=4096 count=$(( $2 / 4096 + 1 )) $nofollow 2>/dev/null; }
        sha_stdin() {
          if [ "$os" = Darwin ] && command -v shasum >/dev/null 2>&1; then shasum -a 256
          elif command -v sha256sum >/dev/null 2>&1; then sha256sum
          elif command -v shasum >/dev/null 2>&1; then shasum -a 256
          else return 1; fi
        }
        # sha_of FILE MAX: the SHA-256 of what read_file reads of FILE. Fails when the file could not
        # be read or there is no SHA-256 tool, never printing the SHA of nothing.
        sha_of() {
          r=$(exec 3>&1; { read_file "$1" "$2"; echo "rc=$?" >&3; } | sha_stdin 2>/dev/null; echo "tool=$?")
          h='' rc='' tool=''
          set -f
          for w in $r; do
            case "$w" in rc=*) rc=${w#rc=} ;; tool=*) tool=${w#tool=} ;; *) if [ ${#w} -eq 64 ]; then h=$w; fi ;; esac
          done
          set +f
          [ "$rc" = 0 ] && [ "$tool" = 0 ] && [ -n "$h" ] || return 1
          printf '%s' "$h"
        }
        # is_number VALUE: VALUE is a non-negative decimal number.
        is_number() { case "$1" in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }
        """

    /// Ends every command of the session after `fr_limit` seconds (set by the transport), even
    /// when nobody is reading any more: a watcher in the background sends TERM, then KILL, to the
    /// session's process group (sshd makes each session its own group; sudo passes the signal on
    /// to what it runs). It is stopped when the script exits. POSIX sh only, so it also works
    /// where there is no timeout(1), as on macOS.
    static let watchdog = """
        fr_watchdog=''
        if [ -n "${fr_limit:-}" ]; then
          ( trap 'kill "$fr_sleep" 2>/dev/null; exit 0' TERM
            sleep "$fr_limit" & fr_sleep=$!
            wait "$fr_sleep"
            trap '' TERM
            kill -TERM 0 2>/dev/null; sleep 2; kill -KILL 0 2>/dev/null ) </dev/null >/dev/null 2>&1 &
          fr_watchdog=$!
        fi
        stop_watchdog() { if [ -n "$fr_watchdog" ]; then kill "$fr_watchdog" 2>/dev/null; fr_watchdog=''; fi; }
        trap stop_watchdog EXIT
        """
}
