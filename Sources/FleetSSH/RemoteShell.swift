import FleetCore

/// The start every remote script shares: the output helpers, the OS and its paths, how to get
/// privileges, and the SHA-256 tool. POSIX `sh` only: it runs under dash, bash-as-sh and macOS sh.
enum RemoteShell {
    static let preamble = """
        set -u
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}
        emit() { printf '%s=%s\\n' "$1" "$2"; }
        b64() { base64 | tr -d '\\n\\r'; }
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
        # sha_of FILE: prints the SHA-256 of FILE, read with privileges.
        sha_of() {
          if [ "$os" = Darwin ] && command -v shasum >/dev/null 2>&1; then
            h=$($S shasum -a 256 "$1" 2>/dev/null) || return 1
          elif command -v sha256sum >/dev/null 2>&1; then
            h=$($S sha256sum "$1" 2>/dev/null) || return 1
          elif command -v shasum >/dev/null 2>&1; then
            h=$($S shasum -a 256 "$1" 2>/dev/null) || return 1
          else
            return 1
          fi
          printf '%s' "${h%% *}"
        }
        """
}
