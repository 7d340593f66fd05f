import FleetCore

/// The POSIX `sh` script that gathers a Unix host's state in one ssh session.
///
/// It prints `KEY=value` lines (see `RemoteProtocol`) and ends with an end marker, so fleetroll
/// can tell a complete answer from a cut-off one. Every privileged read goes through `sudo -n`
/// (or runs directly when the login user is root); sudo is probed first and a failure is
/// reported as `SUDO_OK=0`, never as "file absent" (the old tool's W3). Contents travel as
/// base64 together with the SHA-256 the host computed, so they can be verified on arrival.
/// Every path is first looked at without following links: only a regular file is read, a link or
/// anything else is reported as what it is (`*_KIND`). Reads are bounded (`HostLimits`).
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
        let fileMax = HostLimits.managedFileBytes, stateMax = HostLimits.stateFileBytes
        return """
        # fleetroll audit script: prints KEY=value lines, then \(RemoteProtocol.endMarker)
        \(RemoteShell.preamble)
        include_content=\(includeContent ? 1 : 0)
        known_vaults='\(known)'
        role_file='/etc/puppet_role'
        report=/opt/puppetlabs/puppet/cache/state/last_run_report.yaml
        summary1=/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml
        summary2=/var/lib/puppet/state/last_run_summary.yaml
        emit HOSTNAME "$(hostname 2>/dev/null)"
        if [ "$os" = Darwin ]; then
          boot=$(sysctl -n kern.boottime 2>/dev/null | sed -n 's/.*{ *sec *= *\\([0-9][0-9]*\\).*/\\1/p')
          if is_number "$boot"; then emit UPTIME_S "$(( $(date +%s) - boot ))"; fi
        else
          up=$(cut -d. -f1 /proc/uptime 2>/dev/null) || up=''
          if [ -n "$up" ]; then emit UPTIME_S "$up"; fi
        fi
        require_sudo
        # meta PREFIX FILE: mode, owner, group, size and mtime of FILE (the size also in m_size).
        meta() {
          m_size=''
          if [ "$os" = Darwin ]; then
            m=$($S stat -f '%p %Su %Sg %z %m' "$2" 2>/dev/null) || return 0
          else
            m=$($S stat -c '%a %U %G %s %Y' "$2" 2>/dev/null) || return 0
          fi
          set -f
          set -- "$1" $m
          set +f
          [ $# -eq 6 ] || return 0
          emit "$1_MODE" "$2"; emit "$1_OWNER" "$3"; emit "$1_GROUP" "$4"
          emit "$1_SIZE" "$5"; emit "$1_MTIME" "$6"
          m_size=$5
        }
        # fits MAX: the file meta just looked at is no bigger than MAX bytes (or its size is unknown:
        # the read is bounded anyway, and fleetroll checks what arrives).
        fits() { ! is_number "$m_size" || [ "$m_size" -le "$1" ]; }
        # Every path is looked at once, before anything is read: only a regular file is read.
        kinds=$(kind_of "$role_file" "$vlt" "$ppj" "$ovr" "$report" "$summary1" "$summary2")
        set -f
        set -- $kinds
        set +f
        if [ $# -ne 7 ]; then
          emit FILES_ERROR "could not look at the managed files with privileges"
          end
          exit 0
        fi
        k_role=$1 k_vlt=$2 k_ppj=$3 k_ovr=$4 k_report=$5 k_sum1=$6 k_sum2=$7
        emit ROLE_KIND "$k_role"
        if [ "$k_role" = missing ]; then
          emit ROLE_PRESENT 0
        else
          emit ROLE_PRESENT 1
          if [ "$k_role" = file ]; then emit ROLE "$(read_file "$role_file" \(HostLimits.roleBytes))"; fi
        fi
        emit VLT_KIND "$k_vlt"
        if [ "$k_vlt" = missing ]; then
          emit VLT_PRESENT 0
        else
          emit VLT_PRESENT 1
          if [ "$k_vlt" = file ]; then
            meta VLT "$vlt"
            if fits \(fileMax) && vsha=$(sha_of "$vlt" \(fileMax)); then
              emit VLT_SHA256 "$vsha"
              case " $known_vaults " in
                *" $vsha "*) ;;
                *) emit VLT_CONTENT_B64 "$(read_file "$vlt" \(fileMax) | b64)" ;;
              esac
            fi
          fi
        fi
        emit PP_STATE_KIND "$k_ppj"
        if [ "$k_ppj" = file ]; then
          emit PP_STATE_JSON "$(read_file "$ppj" \(stateMax) | b64)"
        elif [ "$k_ppj" = missing ]; then
          if [ "$k_report" = file ]; then
            # A puppet report is large; its time and status come first.
            emit PP_REPORT_TIME "$(read_file "$report" 65536 | sed -n 's/^time: *//p' | head -n 1)"
            emit PP_REPORT_STATUS "$(read_file "$report" 65536 | sed -n 's/^status: *//p' | head -n 1)"
          else
            for summary in "$k_sum1:$summary1" "$k_sum2:$summary2"; do
              if [ "${summary%%:*}" = file ]; then
                read_file "${summary#*:}" \(stateMax) | awk '
                  /^[a-z_]+:/ { section = $1 }
                  section == "time:" && $1 == "last_run:" && $2 ~ /^[0-9]+$/ { print "PP_SUMMARY_LAST_RUN=" $2 }
                  section == "events:" && $1 == "failure:" && $2 ~ /^[0-9]+$/ { print "PP_SUMMARY_FAILURES=" $2 }'
                break
              fi
            done
          fi
        fi
        emit OVERRIDE_KIND "$k_ovr"
        if [ "$k_ovr" = missing ]; then
          emit OVERRIDE_PRESENT 0
        else
          emit OVERRIDE_PRESENT 1
          if [ "$k_ovr" = file ]; then
            meta OVERRIDE "$ovr"
            if fits \(fileMax); then
              if osha=$(sha_of "$ovr" \(fileMax)); then emit OVERRIDE_SHA256 "$osha"; fi
              if [ "$include_content" = 1 ]; then emit OVERRIDE_CONTENT_B64 "$(read_file "$ovr" \(fileMax) | b64)"; fi
            fi
          fi
        fi
        end
        """
    }
}
