#!/usr/bin/env bash
# The work of action.yml, in two steps that run in the job's workspace:
#
#   agwlint-action.sh install   creates a virtual environment under $RUNNER_TEMP and installs the
#                               agwlint wheel (AGWLINT_VERSION) from PyPI into it; adds its bin
#                               directory to $GITHUB_PATH.
#   agwlint-action.sh lint      runs agwlint on AGWLINT_PATHS: the human report and the
#                               AGWLINT_FORMAT output (annotations by default) in the log, the
#                               SARIF log to AGWLINT_SARIF_FILE, the counts to $GITHUB_OUTPUT and
#                               a summary table to $GITHUB_STEP_SUMMARY. Exits with agwlint's code.
#
# Inputs arrive as environment variables (never interpolated into the script): AGWLINT_VERSION,
# AGWLINT_PYTHON, AGWLINT_PATHS, AGWLINT_FORMAT, AGWLINT_FAIL_ON, AGWLINT_CONFIG,
# AGWLINT_SARIF_FILE. GitHub's own: RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
# pip's own variables (PIP_INDEX_URL, PIP_FIND_LINKS, ...) apply to the install, so a mirror or a
# directory of wheels works; scripts/ci-packaging.sh runs both steps with a local wheel.
set -euo pipefail

die() {
  printf '::error title=agwlint action::%s\n' "$*"
  exit 2
}

venv_dir() { printf '%s/agwlint-venv\n' "${RUNNER_TEMP:?RUNNER_TEMP is not set}"; }

# The venv's script directory: bin/ on Linux and macOS, Scripts/ on Windows.
venv_bin() {
  local v
  v=$(venv_dir)
  if [ -d "$v/Scripts" ]; then printf '%s/Scripts\n' "$v"; else printf '%s/bin\n' "$v"; fi
}

install() {
  local version=${AGWLINT_VERSION:-}
  [ -n "$version" ] || die "input 'version' is empty"
  case "$version" in
  *[!0-9A-Za-z.+-]*) die "input 'version' is not a version: $version" ;;
  esac
  local python=${AGWLINT_PYTHON:-}
  if [ -z "$python" ]; then
    if command -v python3 >/dev/null 2>&1; then python=python3; else python=python; fi
  fi
  "$python" -m venv "$(venv_dir)" || die "could not create a virtual environment with $python"
  local bin
  bin=$(venv_bin)
  "$bin/python" -m pip install --disable-pip-version-check --quiet "agwlint==$version" ||
    die "pip could not install agwlint==$version"
  "$bin/agwlint" --version
  printf '%s\n' "$bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
}

lint() {
  local bin
  bin=$(venv_bin)
  local agwlint="$bin/agwlint"
  [ -x "$agwlint" ] || [ -x "$agwlint.exe" ] || die "agwlint is not installed; run the install step first"
  local format=${AGWLINT_FORMAT:-github}
  case "$format" in
  github | human | compact | json | junit | sarif) ;;
  *) die "input 'format' must be github, human, compact, json, junit or sarif, not: $format" ;;
  esac
  # (`${a[@]+"${a[@]}"}` keeps empty arrays safe under `set -u` in bash 3.2, macOS's /bin/bash.)
  local -a paths=() common=()
  # Paths are separated by whitespace (spaces or newlines), as a multi-line input gives them.
  read -r -d '' -a paths <<<"${AGWLINT_PATHS:-.}" || true
  [ "${#paths[@]}" -gt 0 ] || paths=(.)
  [ -z "${AGWLINT_CONFIG:-}" ] || common+=(--config "$AGWLINT_CONFIG")
  local -a fail_on=()
  [ -z "${AGWLINT_FAIL_ON:-}" ] || fail_on=(--fail-on "$AGWLINT_FAIL_ON")

  local work
  work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/agwlint.XXXXXX")
  # 1. The run that decides the step: the human report in the log, JSON for the counts.
  local rc=0
  "$agwlint" lint "${paths[@]}" ${common[@]+"${common[@]}"} ${fail_on[@]+"${fail_on[@]}"} --color never \
    --format json --output "$work/report.json" || rc=$?
  if [ "$rc" -ge 2 ] || [ ! -s "$work/report.json" ]; then
    printf 'exit-code=%s\n' "$rc" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
    printf '## agwlint\n\nagwlint stopped with exit code %s (usage or configuration error); see the log.\n' \
      "$rc" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
    exit "$rc"
  fi
  # 2. The log format (annotations by default); it never decides the step.
  if [ "$format" != human ]; then
    "$agwlint" lint "${paths[@]}" ${common[@]+"${common[@]}"} --fail-on never --color never --format "$format" || true
  fi
  # 3. SARIF for code scanning.
  local sarif=${AGWLINT_SARIF_FILE:-}
  if [ -n "$sarif" ]; then
    mkdir -p "$(dirname "$sarif")"
    "$agwlint" lint "${paths[@]}" ${common[@]+"${common[@]}"} --fail-on never --format sarif >"$sarif" ||
      die "agwlint could not write the SARIF log $sarif"
  fi
  "$bin/python" - "$work/report.json" "$rc" "$sarif" "${AGWLINT_FAIL_ON:-}" <<'EOF'
import json, os, sys
from collections import Counter

report_path, rc, sarif, fail_on = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
report = json.load(open(report_path, encoding="utf-8"))
summary = report["summary"]
counts = {k: int(summary.get(k, 0)) for k in ("error", "warning", "info")}
with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
    out.write(f"errors={counts['error']}\nwarnings={counts['warning']}\ninfos={counts['info']}\n")
    out.write(f"files-scanned={report['files_scanned']}\nsarif-file={sarif}\nexit-code={rc}\n")

def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")

status = "passed" if rc == 0 else "failed"
lines = [
    f"## agwlint {report['tool']['version']}: {status}",
    "",
    f"{report['files_scanned']} file(s) linted" + (f", failing at `{fail_on}`" if fail_on else "") + ".",
    "",
    "| errors | warnings | info |",
    "|---:|---:|---:|",
    f"| {counts['error']} | {counts['warning']} | {counts['info']} |",
    "",
]
by_rule = Counter((d["rule"], d["name"], d["severity"]) for d in report["diagnostics"])
if by_rule:
    lines += ["| rule | severity | findings |", "|---|---|---:|"]
    for (rule, name, severity), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {rule} `{cell(name)}` | {severity} | {n} |")
    lines.append("")
if sarif:
    lines.append(f"SARIF log: `{cell(sarif)}` (upload it with `github/codeql-action/upload-sarif`).")
    lines.append("")
summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
if summary_path:
    with open(summary_path, "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
EOF
  rm -rf "$work"
  exit "$rc"
}

case "${1:-}" in
install) install ;;
lint) lint ;;
*)
  echo "usage: agwlint-action.sh install|lint" >&2
  exit 2
  ;;
esac
