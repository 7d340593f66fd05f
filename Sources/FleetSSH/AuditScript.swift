import FleetCore

/// The POSIX `sh` script that gathers a Unix host's state in one ssh session.
///
/// It prints `KEY=value` lines (see `RemoteProtocol`) and ends with an end marker, so fleetroll
/// can tell a complete answer from a cut-off one. Every privileged read goes through `sudo -n`
/// (or runs directly when the login user is root); sudo is probed first and a failure is
/// reported as `SUDO_OK=0`, never as "file absent" (the old tool's W3). Contents travel as
/// base64 together with the SHA-256 the host computed, so they can be verified on arrival.
public struct AuditScript: Sendable {
    /// Send the override file's content (it is small, and reports show it).
    public var includeContent: Bool
    /// SHA-256 sums of vault.yaml files fleetroll already keeps; the host sends the vault
    /// content only when its own sum is not one of these.
    public var knownVaultSHAs: [String]

    public init(includeContent: Bool = true, knownVaultSHAs: [String] = []) {
        self.includeContent = includeContent
        self.knownVaultSHAs = knownVaultSHAs.filter(Digest.isSHA256Hex).sorted()
    }

    public var body: String {
        let known = knownVaultSHAs.joined(separator: " ")
        return """
        # fleetroll audit script: prints KEY=value lines, then \(RemoteProtocol.endMarker)
        \(RemoteShell.preamble)
        include_content=\(includeContent ? 1 : 0)
        known_vaults='\(known)'
        role_file='/etc/puppet_role'
        emit HOSTNAME "$(hostname 2>/dev/null)"
        if [ "$os" = Darwin ]; then
          boot=$(sysctl -n kern.boottime 2>/dev/null | sed -n 's/.*{ *sec *= *\\([0-9][0-9]*\\).*/\\1/p')
          if [ -n "$boot" ]; then emit UPTIME_S "$(( $(date +%s) - boot ))"; fi
        else
          up=$(cut -d. -f1 /proc/uptime 2>/dev/null) || up=''
          if [ -n "$up" ]; then emit UPTIME_S "$up"; fi
        fi
        require_sudo
        # meta PREFIX FILE: mode, owner, group, size and mtime of FILE.
        meta() {
          if [ "$os" = Darwin ]; then
            m=$($S stat -f '%p %Su %Sg %z %m' "$2" 2>/dev/null) || return 0
          else
            m=$($S stat -c '%a %U %G %s %Y' "$2" 2>/dev/null) || return 0
          fi
          set -- "$1" $m
          [ $# -eq 6 ] || return 0
          emit "$1_MODE" "$2"; emit "$1_OWNER" "$3"; emit "$1_GROUP" "$4"
          emit "$1_SIZE" "$5"; emit "$1_MTIME" "$6"
        }
        if $S test -e "$role_file"; then
          emit ROLE_PRESENT 1
          emit ROLE "$($S cat "$role_file" 2>/dev/null | tr '\\r\\n\\t' '   ' | tr -s ' ')"
        else
          emit ROLE_PRESENT 0
        fi
        if $S test -e "$vlt"; then
          emit VLT_PRESENT 1
          meta VLT "$vlt"
          if vsha=$(sha_of "$vlt"); then
            emit VLT_SHA256 "$vsha"
            case " $known_vaults " in
              *" $vsha "*) ;;
              *) emit VLT_CONTENT_B64 "$($S cat "$vlt" | b64)" ;;
            esac
          fi
        else
          emit VLT_PRESENT 0
        fi
        if $S test -e "$ppj"; then
          emit PP_STATE_JSON "$($S cat "$ppj" | b64)"
        else
          report=/opt/puppetlabs/puppet/cache/state/last_run_report.yaml
          if $S test -e "$report"; then
            emit PP_REPORT_TIME "$($S sed -n 's/^time: *//p' "$report" | head -n 1)"
            emit PP_REPORT_STATUS "$($S sed -n 's/^status: *//p' "$report" | head -n 1)"
          else
            for summary in /opt/puppetlabs/puppet/cache/state/last_run_summary.yaml /var/lib/puppet/state/last_run_summary.yaml; do
              if $S test -e "$summary"; then
                $S cat "$summary" | awk '
                  /^[a-z_]+:/ { section = $1 }
                  section == "time:" && $1 == "last_run:" { print "PP_SUMMARY_LAST_RUN=" $2 }
                  section == "events:" && $1 == "failure:" { print "PP_SUMMARY_FAILURES=" $2 }'
                break
              fi
            done
          fi
        fi
        if $S test -e "$ovr"; then
          emit OVERRIDE_PRESENT 1
          meta OVERRIDE "$ovr"
          if osha=$(sha_of "$ovr"); then emit OVERRIDE_SHA256 "$osha"; fi
          if [ "$include_content" = 1 ]; then emit OVERRIDE_CONTENT_B64 "$($S cat "$ovr" | b64)"; fi
        else
          emit OVERRIDE_PRESENT 0
        fi
        end
        """
    }
}
