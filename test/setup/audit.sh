#!/usr/bin/env bash
# `npm audit --audit-level=high` for CI: fails on high or critical advisories in
# the installed dependency tree. npm's audit needs the registry's advisory
# endpoint; when that cannot be reached (no network, a mirror without it: 404,
# 405, 5xx, timeouts) the audit did NOT run: this says so loudly and does not
# fail CI for that reason alone. Any finding at high or above fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 120 npm audit --audit-level=high --json >"$out" 2>"$err"
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "npm audit: no high or critical advisories"
  exit 0
fi
# A real report has metadata.vulnerabilities; an endpoint failure has statusCode/error and nothing else.
verdict=$(node -e '
  const fs = require("fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("unreadable"); process.exit(0); }
  const v = r && r.metadata && r.metadata.vulnerabilities;
  if (!v) { console.log("unreachable " + (r && (r.statusCode || (r.error && r.error.code)) || "") + " " + (r && r.message || "")); process.exit(0); }
  const bad = (v.high || 0) + (v.critical || 0);
  console.log(bad > 0 ? `findings ${v.critical || 0} critical, ${v.high || 0} high` : "clean");
' "$out")
case "$verdict" in
  clean)
    echo "npm audit: no high or critical advisories (lower ones are listed by npm audit)"
    exit 0 ;;
  findings*)
    echo "npm audit FAILED: ${verdict#findings }; run 'npm audit' for the advisories and 'npm audit fix' or update the package" >&2
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      for (const [name, x] of Object.entries(r.vulnerabilities || {})) if (x.severity === "high" || x.severity === "critical") console.error(`  ${x.severity}: ${name} ${x.range || ""}`);
    ' "$out"
    exit 1 ;;
  unreachable*|unreadable)
    echo "npm audit: NOT RUN - the registry's audit endpoint could not be used (${verdict#unreachable }); $(grep -m1 -o 'npm error.*' "$err" || true)" >&2
    echo "npm audit: this machine cannot check advisories; run 'npm audit --audit-level=high' where the registry is reachable" >&2
    exit 0 ;;
esac
