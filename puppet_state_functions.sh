# shellcheck shell=sh
# puppet_state_functions.sh: fleetroll's host-side record of what a puppet run applied.
#
# Source this file from the puppet wrapper (run-puppet.sh) and call, after `puppet apply`:
#
#   write_puppet_state WORKING_DIR ROLE EXIT_CODE DURATION_S OVERRIDE_PATH VAULT_PATH [STATE_FILE]
#
# It writes last_run_metadata.json (schema_version 1, 14 keys) atomically: readers see the old
# file or the new one, never a partial one. It never fails the puppet run: every problem is
# reported on stderr as "ERROR: write_puppet_state: ..." and the function returns 0.
# POSIX sh: runs under dash, bash and macOS's sh; needs no jq. STATE_FILE defaults to
# /etc/puppet/last_run_metadata.json, or /opt/puppet_environments/last_run_metadata.json on macOS.
# On a detached checkout the branch is taken from a branch that points at HEAD, else from
# $PUPPET_BRANCH (set by the override file), else it is null.

# _fr_json STRING: STRING as a JSON string literal; control characters other than newline, tab
# and carriage return are dropped.
_fr_json() {
  printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | awk '
    BEGIN { ORS = ""; printf "\"" }
    {
      gsub(/\\/, "&&"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r")
      if (NR > 1) printf "\\n"
      printf "%s", $0
    }
    END { printf "\"" }'
}

# _fr_json_or_null VALUE: a JSON string, or null when VALUE is empty.
_fr_json_or_null() {
  if [ -n "$1" ]; then _fr_json "$1"; else printf 'null'; fi
}

# _fr_int VALUE: VALUE as a JSON whole number (leading zeros dropped), or nothing when it is not
# one (or has more than 9 digits).
_fr_int() {
  case "$1" in
    '' | *[!0-9]*) return 0 ;;
  esac
  _fr_n=$(printf '%s' "$1" | sed 's/^0*//')
  [ -n "$_fr_n" ] || _fr_n=0
  [ ${#_fr_n} -le 9 ] && printf '%s' "$_fr_n"
  return 0
}

# _fr_int_or_null VALUE: VALUE as a JSON whole number, or null.
_fr_int_or_null() {
  _fr_i=$(_fr_int "$1")
  if [ -n "$_fr_i" ]; then printf '%s' "$_fr_i"; else printf 'null'; fi
}

# _fr_sha256 FILE: the file's SHA-256, or nothing when it cannot be read. The file is read from
# stdin, so an odd file name cannot change the output (sha256sum escapes such names).
_fr_sha256() {
  [ -f "$1" ] || return 0
  if command -v sha256sum >/dev/null 2>&1; then
    _fr_h=$(sha256sum <"$1" 2>/dev/null) || return 0
  elif command -v shasum >/dev/null 2>&1; then
    _fr_h=$(shasum -a 256 <"$1" 2>/dev/null) || return 0
  else
    return 0
  fi
  _fr_h=${_fr_h%% *}
  case "$_fr_h" in
    *[!0-9a-f]*) return 0 ;;
  esac
  [ ${#_fr_h} -eq 64 ] && printf '%s' "$_fr_h"
  return 0
}

# _fr_git_branch DIR: the checked-out branch. On a detached HEAD: the override's branch
# ($PUPPET_BRANCH) when it points at HEAD, else a local branch pointing at it, else an origin
# branch, else any remote's, else $PUPPET_BRANCH, else nothing.
_fr_git_branch() {
  _fr_b=$(git -C "$1" symbolic-ref --short -q HEAD 2>/dev/null) && [ -n "$_fr_b" ] && { printf '%s' "$_fr_b"; return 0; }
  _fr_head=$(git -C "$1" rev-parse -q --verify HEAD 2>/dev/null) || _fr_head=''
  if [ -n "${PUPPET_BRANCH:-}" ] && [ -n "$_fr_head" ]; then
    for _fr_ref in "refs/heads/$PUPPET_BRANCH" "refs/remotes/origin/$PUPPET_BRANCH"; do
      if [ "$(git -C "$1" rev-parse -q --verify "$_fr_ref" 2>/dev/null)" = "$_fr_head" ]; then
        printf '%s' "$PUPPET_BRANCH"
        return 0
      fi
    done
  fi
  for _fr_space in refs/heads refs/remotes/origin refs/remotes; do
    _fr_b=$(git -C "$1" for-each-ref --points-at HEAD --format='%(refname)' "$_fr_space" 2>/dev/null \
      | grep -v '/HEAD$' | head -n 1)
    if [ -n "$_fr_b" ]; then
      case "$_fr_space" in
        refs/remotes) _fr_b=${_fr_b#refs/remotes/*/} ;;
        *) _fr_b=${_fr_b#"$_fr_space"/} ;;
      esac
      printf '%s' "$_fr_b"
      return 0
    fi
  done
  printf '%s' "${PUPPET_BRANCH:-}"
}

_fr_write_puppet_state() {
  _fr_wd=$1 _fr_role=$2 _fr_exit=$3 _fr_duration=$4 _fr_override=$5 _fr_vault=$6
  _fr_state=${7:-}
  if [ -z "$_fr_state" ]; then
    if [ "$(uname -s 2>/dev/null)" = Darwin ]; then
      _fr_state=/opt/puppet_environments/last_run_metadata.json
    else
      _fr_state=/etc/puppet/last_run_metadata.json
    fi
  fi

  _fr_ts=$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || _fr_ts=''
  case "$(_fr_int "$_fr_exit")" in
    0 | 2) _fr_success=true ;;
    *) _fr_success=false ;;
  esac

  _fr_repo='' _fr_branch='' _fr_sha='' _fr_dirty=null
  # Only WORKING_DIR's own checkout counts, not a repository around it (etckeeper's /etc).
  if [ -n "$_fr_wd" ] && [ -e "$_fr_wd/.git" ] && command -v git >/dev/null 2>&1; then
    _fr_repo=$(git -C "$_fr_wd" config --get remote.origin.url 2>/dev/null) || _fr_repo=''
    # The file is world-readable: never keep credentials from the URL.
    _fr_repo=$(printf '%s' "$_fr_repo" | sed 's#^\([a-z+]*://\)[^/@]*@#\1#')
    _fr_sha=$(git -C "$_fr_wd" rev-parse HEAD 2>/dev/null) || _fr_sha=''
    _fr_branch=$(_fr_git_branch "$_fr_wd")
    if _fr_status=$(git -C "$_fr_wd" status --porcelain 2>/dev/null); then
      if [ -n "$_fr_status" ]; then _fr_dirty=true; else _fr_dirty=false; fi
    fi
  fi

  _fr_dir=$(dirname "$_fr_state")
  _fr_tmp=$(mktemp "$_fr_dir/.last_run_metadata.json.XXXXXX" 2>/dev/null) || {
    echo "ERROR: write_puppet_state: cannot create a temporary file in $_fr_dir" >&2
    return 0
  }
  trap 'rm -f "$_fr_tmp"; exit 0' HUP INT TERM
  if ! {
    printf '{\n'
    printf '  "schema_version": 1,\n'
    printf '  "ts": %s,\n' "$(_fr_json_or_null "$_fr_ts")"
    printf '  "duration_s": %s,\n' "$(_fr_int_or_null "$_fr_duration")"
    printf '  "success": %s,\n' "$_fr_success"
    printf '  "exit_code": %s,\n' "$(_fr_int_or_null "$_fr_exit")"
    printf '  "role": %s,\n' "$(_fr_json "$_fr_role")"
    printf '  "git_repo": %s,\n' "$(_fr_json_or_null "$_fr_repo")"
    printf '  "git_branch": %s,\n' "$(_fr_json_or_null "$_fr_branch")"
    printf '  "git_sha": %s,\n' "$(_fr_json_or_null "$_fr_sha")"
    printf '  "git_dirty": %s,\n' "$_fr_dirty"
    printf '  "vault_path": %s,\n' "$(_fr_json "$_fr_vault")"
    printf '  "vault_sha": %s,\n' "$(_fr_json_or_null "$(_fr_sha256 "$_fr_vault")")"
    printf '  "override_path": %s,\n' "$(_fr_json "$_fr_override")"
    printf '  "override_sha": %s\n' "$(_fr_json_or_null "$(_fr_sha256 "$_fr_override")")"
    printf '}\n'
  } >"$_fr_tmp"; then
    rm -f "$_fr_tmp"
    echo "ERROR: write_puppet_state: cannot write $_fr_tmp" >&2
    return 0
  fi
  chmod 0644 "$_fr_tmp" 2>/dev/null || true
  if ! mv -f "$_fr_tmp" "$_fr_state" 2>/dev/null; then
    rm -f "$_fr_tmp"
    echo "ERROR: write_puppet_state: cannot move the new state into place at $_fr_state" >&2
    return 0
  fi
  echo "Puppet state written to $_fr_state" >&2
}

# write_puppet_state WORKING_DIR ROLE EXIT_CODE DURATION_S OVERRIDE_PATH VAULT_PATH [STATE_FILE]
write_puppet_state() {
  # A subshell: nothing here can change the caller's shell (set -e, cwd, variables) or fail it.
  ( _fr_write_puppet_state "$@" ) || echo "ERROR: write_puppet_state: unexpected error" >&2
  return 0
}
