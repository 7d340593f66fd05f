#!/bin/sh
# verify-state-file.sh [STATE_FILE]: checks a host's last_run_metadata.json and prints a verdict.
# Exit 0 when the file is a valid schema_version 1 state file, 1 otherwise. POSIX sh; uses
# python3 or jq for a full JSON check when the host has one, else checks the keys with grep.
# STATE_FILE defaults to /etc/puppet/last_run_metadata.json (macOS: /opt/puppet_environments/...).
set -u
state=${1:-}
if [ -z "$state" ]; then
  if [ "$(uname -s 2>/dev/null)" = Darwin ]; then
    state=/opt/puppet_environments/last_run_metadata.json
  else
    state=/etc/puppet/last_run_metadata.json
  fi
fi
fail() { echo "FAIL: $state: $1"; exit 1; }
[ -e "$state" ] || fail "no state file (puppet has not run with write_puppet_state yet)"
[ -r "$state" ] || fail "not readable"
keys="schema_version ts duration_s success exit_code role git_repo git_branch git_sha git_dirty vault_path vault_sha override_path override_sha"
# macOS without the developer tools has a python3 stub that only offers to install them.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' >/dev/null 2>&1; then
  if ! verdict=$(python3 - "$state" "$keys" <<'PY'
import json, sys
path, keys = sys.argv[1], sys.argv[2].split()
try:
    with open(path) as f:
        d = json.load(f)
except Exception as e:
    print(f"not valid JSON ({e})"); sys.exit(1)
if not isinstance(d, dict):
    print("not a JSON object"); sys.exit(1)
missing = [k for k in keys if k not in d]
if missing:
    print("missing keys: " + " ".join(missing)); sys.exit(1)
def kind(v, *types): return v is None or isinstance(v, types)
checks = [
    ("schema_version", d["schema_version"] == 1, "must be 1"),
    ("ts", kind(d["ts"], str), "must be a timestamp string or null"),
    ("duration_s", kind(d["duration_s"], int) and not isinstance(d["duration_s"], bool), "must be a whole number or null"),
    ("success", isinstance(d["success"], bool), "must be true or false"),
    ("exit_code", kind(d["exit_code"], int) and not isinstance(d["exit_code"], bool), "must be a whole number or null"),
    ("role", isinstance(d["role"], str), "must be a string"),
    ("git_dirty", kind(d["git_dirty"], bool), "must be true, false or null"),
]
for k in ("git_repo", "git_branch", "git_sha", "vault_sha", "override_sha", "vault_path", "override_path"):
    checks.append((k, kind(d[k], str), "must be a string or null"))
bad = [f"{k} {why}" for k, ok, why in checks if not ok]
if bad:
    print("; ".join(bad)); sys.exit(1)
sha = (d["git_sha"] or "-")[:12]
print(f"written {d['ts'] or '(time unknown)'}, exit {d['exit_code']} ({'success' if d['success'] else 'failed'}), "
      f"git {sha} on {d['git_branch'] or '-'}, override {'set' if d['override_sha'] else 'none'}")
PY
  ); then
    fail "$verdict"
  fi
elif command -v jq >/dev/null 2>&1; then
  jq empty "$state" >/dev/null 2>&1 || fail "not valid JSON"
  for k in $keys; do jq -e "has(\"$k\")" "$state" >/dev/null 2>&1 || fail "missing key: $k"; done
  verdict="all $(echo "$keys" | wc -w | tr -d ' ') keys present (jq check; types not checked)"
else
  for k in $keys; do grep -q "\"$k\":" "$state" || fail "missing key: $k"; done
  verdict="all keys present (no python3 or jq here: JSON syntax and types not checked)"
fi
echo "OK: $state: $verdict"
