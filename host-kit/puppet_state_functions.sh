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

# _fr_int_or_null VALUE: VALUE when it is a whole number, else null.
_fr_int_or_null() {
  case "$1" in
    '' | *[!0-9]*) printf 'null' ;;
    *) printf '%s' "$1" ;;
  esac
}

# _fr_sha256 FILE: the file's SHA-256, or nothing when it cannot be read.
_fr_sha256() {
  [ -f "$1" ] || return 0
  if command -v sha256sum >/dev/null 2>&1; then
    _fr_h=$(sha256sum "$1" 2>/dev/null) || return 0
  elif command -v shasum >/dev/null 2>&1; then
    _fr_h=$(shasum -a 256 "$1" 2>/dev/null) || return 0
  else
    return 0
  fi
  printf '%s' "${_fr_h%% *}"
}

# _fr_git_branch DIR: the checked-out branch; on a detached HEAD, a branch that points at it.
_fr_git_branch() {
  _fr_b=$(git -C "$1" symbolic-ref --short -q HEAD 2>/dev/null) && [ -n "$_fr_b" ] && { printf '%s' "$_fr_b"; return 0; }
  _fr_b=$(git -C "$1" for-each-ref --points-at HEAD --format='%(refname:short)' refs/heads 2>/dev/null | head -n 1)
  [ -n "$_fr_b" ] && { printf '%s' "$_fr_b"; return 0; }
  _fr_b=$(git -C "$1" for-each-ref --points-at HEAD --format='%(refname:short)' refs/remotes 2>/dev/null \
    | grep -v '/HEAD$' | head -n 1)
  [ -n "$_fr_b" ] && { printf '%s' "${_fr_b#*/}"; return 0; }
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
  case "$_fr_exit" in
    0 | 2) _fr_success=true ;;
    *) _fr_success=false ;;
  esac

  _fr_repo='' _fr_branch='' _fr_sha='' _fr_dirty=null
  if [ -n "$_fr_wd" ] && command -v git >/dev/null 2>&1 && git -C "$_fr_wd" rev-parse --git-dir >/dev/null 2>&1; then
    _fr_repo=$(git -C "$_fr_wd" config --get remote.origin.url 2>/dev/null) || _fr_repo=''
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
