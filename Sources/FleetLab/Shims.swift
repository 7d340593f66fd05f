/// Stand-ins for the BSD tools a macOS host has, installed in `/usr/local/bin` inside a
/// macOS-flavoured lab host, so the Darwin branches of fleetroll's remote scripts run for real.
enum Shims {
    static let uname = """
        #!/bin/sh
        # fleetroll lab: uname(1) of a macOS host
        case "${1:-}" in
          ""|-s) echo Darwin ;;
          -r) echo 24.1.0 ;;
          -m|-p) echo arm64 ;;
          -n) hostname ;;
          -a) echo "Darwin $(hostname) 24.1.0 Darwin Kernel Version 24.1.0: lab; root:xnu/RELEASE_ARM64_T8132 arm64" ;;
          *) echo "uname: illegal option -- ${1#-}" >&2; echo "usage: uname [-amnoprsv]" >&2; exit 1 ;;
        esac

        """

    /// BSD `stat -f FORMAT FILE...` for the fields fleetroll reads: %p (type and mode in
    /// octal), %Su, %Sg, %z, %m, %N. Anything else is refused like BSD stat refuses GNU flags.
    static let stat = """
        #!/bin/sh
        # fleetroll lab: BSD stat(1) of a macOS host (stat -f FORMAT FILE...)
        if [ "${1:-}" != "-f" ] || [ $# -lt 3 ]; then
          echo "usage: stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]" >&2
          exit 1
        fi
        fmt=$2
        shift 2
        rc=0
        for f in "$@"; do
          if ! raw=$(/usr/bin/stat -c '%f %U %G %s %Y' -- "$f" 2>/dev/null); then
            echo "stat: $f: stat: No such file or directory" >&2
            rc=1
            continue
          fi
          set -- $raw
          mode=$(printf '%o' "0x$1")
          printf '%s\\n' "$fmt" | sed -e "s|%p|$mode|g" -e "s|%Su|$2|g" -e "s|%Sg|$3|g" -e "s|%z|$4|g" -e "s|%m|$5|g" -e "s|%N|$f|g"
        done
        exit $rc

        """

    /// `sysctl -n kern.boottime` as macOS prints it, for a host booted at `bootEpoch`.
    static func sysctl(bootEpoch: Int) -> String {
        """
        #!/bin/sh
        # fleetroll lab: sysctl(8) of a macOS host
        boot=\(bootEpoch)
        case "$*" in
          "-n kern.boottime") echo "{ sec = $boot, usec = 0 } $(date -u -d @$boot '+%a %b %e %H:%M:%S %Y')" ;;
          "kern.boottime") echo "kern.boottime: { sec = $boot, usec = 0 } $(date -u -d @$boot '+%a %b %e %H:%M:%S %Y')" ;;
          "-n kern.ostype") echo Darwin ;;
          "-n hw.ncpu") echo 10 ;;
          *) echo "sysctl: unknown oid '$*'" >&2; exit 1 ;;
        esac

        """
    }

    static let swVers = """
        #!/bin/sh
        # fleetroll lab: sw_vers(1) of a macOS host
        case "${1:-}" in
          -productName) echo macOS ;;
          -productVersion) echo 15.1 ;;
          -buildVersion) echo 24B83 ;;
          *) printf 'ProductName:\\t\\tmacOS\\nProductVersion:\\t\\t15.1\\nBuildVersion:\\t\\t24B83\\n' ;;
        esac

        """

    /// BSD dd(1): no GNU iflag=/oflag= operands.
    static let bsdDD = """
        #!/bin/sh
        # fleetroll lab: dd(1) of a macOS host (BSD dd knows no iflag=)
        for a in "$@"; do
          case "$a" in iflag=* | oflag=*) echo "dd: unknown operand ${a%%=*}" >&2; exit 1 ;; esac
        done
        exec /bin/dd "$@"

        """

    /// BSD mv(1): no -T, no --help.
    static let bsdMV = """
        #!/bin/sh
        # fleetroll lab: mv(1) of a macOS host (BSD mv knows no -T)
        for a in "$@"; do
          case "$a" in --*) echo "mv: illegal option -- -" >&2; echo "usage: mv [-f | -i | -n] [-hv] source target" >&2; exit 64 ;;
            -*T*) echo "mv: illegal option -- T" >&2; exit 64 ;; esac
        done
        exec /bin/mv "$@"

        """

    /// The login shell of a `slow` host: it takes its time before doing anything.
    static func slowShell(seconds: Int) -> String {
        """
        #!/bin/sh
        # fleetroll lab: a host that answers only after \(seconds) seconds
        sleep \(seconds)
        exec /bin/sh "$@"

        """
    }
}
