#!/usr/bin/env bash
# Checks agwlint's integration formats with the real consumers' tools, and the pre-commit hook
# with real pre-commit. Run from anywhere: `bash scripts/ci-integrations.sh` (called by .ci/run).
#
#   1. SARIF from the real binary (testdata/report, testdata/examples, the shared corpus) and
#      from the synthetic report of tests/report_formats.rs, validated against the SARIF 2.1.0
#      JSON schema (Python jsonschema) and by the Microsoft SARIF Multitool (`validate`, with
#      GitHub code scanning's rules as errors). Negative controls prove both validators bite.
#   2. JUnit XML parsed by junitparser and xml.etree; the counts must match the JSON report.
#   3. GitHub workflow commands checked line by line.
#   4. pre-commit: a throwaway git repository using this checkout as a `language: rust` hook
#      repository; a commit with a v1-SKU gateway (AGW001) and a non-UTF-8 template (AGW000)
#      must be refused with the findings printed, and accepted once fixed. A partial run: a
#      commit that stages only a child Terraform module whose NSG breaks the GatewayManager rule
#      is refused with AGW027, found through the committed root module that calls it.
#
# Installs what it needs under target/: a Python venv (jsonschema, junitparser, pre-commit from
# PyPI) and @microsoft/sarif-multitool from npm. Only crates.io, PyPI and npm are contacted.
# AGWLINT_CI_PRECOMMIT_RULES (default "AGW001 AGW000") lists the rules the refused commit must
# show; AGWLINT_CORPUS points at the shared corpus (default ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/target/ci-integrations"
VENV="$OUT/venv"
NODE="$ROOT/target/ci-node"
MULTITOOL_VERSION=5.7.0
PASSED=0
FAILED=0
rm -rf "$OUT/reports" "$OUT/synthetic" "$OUT/precommit-work"
mkdir -p "$OUT/reports" "$OUT/synthetic"

say() { printf '\n== %s\n' "$*"; }
ok() { PASSED=$((PASSED + 1)); printf 'ok: %s\n' "$*"; }
fail() {
  FAILED=$((FAILED + 1))
  printf 'FAILED: %s\n' "$*" >&2
}

say "build agwlint"
cargo build --quiet --bin agwlint
BIN="$ROOT/target/debug/agwlint"

say "install validators (PyPI: jsonschema, junitparser, pre-commit; npm: @microsoft/sarif-multitool)"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "jsonschema[format-nongpl]==4.26.0" "junitparser==5.0.3" "pre-commit==4.7.0"
PY="$VENV/bin/python"
MT="$NODE/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -f "$MT" ]; then
  npm install --silent --no-audit --no-fund --prefix "$NODE" \
    "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >/dev/null
fi
# npm may decline to run the package's postinstall (`chmod u+x`); do it here.
chmod u+x "$MT"
"$MT" --version | head -1
SCHEMA="$ROOT/testdata/report/sarif-schema-2.1.0.json"
if cmp -s "$SCHEMA" "$(dirname "$MT")/sarif-2.1.0.json"; then
  ok "vendored schema is identical to the one in @microsoft/sarif-multitool-linux $MULTITOOL_VERSION"
else
  fail "testdata/report/sarif-schema-2.1.0.json differs from the multitool package's copy"
fi

say "generate reports with the real binary"
# Exit code 1 means findings; 2 is a usage or internal error and fails this script.
run_agwlint() { # dir format outfile paths...
  local dir=$1 format=$2 out=$3
  shift 3
  local rc=0
  (cd "$dir" && "$BIN" lint --format "$format" --fail-on never "$@" >"$out") || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "agwlint lint --format $format $* (in $dir) exited $rc"
    return 1
  fi
}
INPUTS=(testdata/report)
[ -d testdata/examples ] && INPUTS+=(testdata/examples)
CORPUS="${AGWLINT_CORPUS:-$(cd .. && pwd)/shared/corpus}"
RUNS=("repo")
for f in sarif junit json github; do
  run_agwlint "$ROOT" "$f" "$OUT/reports/repo.$f" "${INPUTS[@]}" || true
done
if [ -d "$CORPUS" ]; then
  RUNS+=("corpus")
  for f in sarif junit json github; do
    # From inside the corpus, so the URIs are relative as GitHub requires.
    run_agwlint "$CORPUS" "$f" "$OUT/reports/corpus.$f" . || true
  done
else
  echo "note: no corpus at $CORPUS; SARIF from the binary covers testdata only"
fi
# --output writes the report to a file while the human report still goes to stdout.
rc=0
"$BIN" lint --format sarif --output "$OUT/reports/output-flag.sarif" testdata/report \
  >"$OUT/reports/output-flag.human" || rc=$?
if [ "$rc" -le 1 ] && grep -q '"version": "2.1.0"' "$OUT/reports/output-flag.sarif" &&
  grep -Eq '((errors?|warnings?|infos?) in [0-9]+ files?|^no findings) \([0-9]+ files? linted(; [^)]*)?\)$' "$OUT/reports/output-flag.human"; then
  ok "--output writes SARIF to the file and the human summary to stdout"
else
  fail "--output: rc=$rc, see $OUT/reports/output-flag.*"
fi

say "synthetic report (tests/report_formats.rs)"
AGWLINT_REPORT_OUT="$OUT/synthetic" cargo test --quiet --test report_formats \
  write_artifacts_for_external_validators >/dev/null
cp "$OUT/synthetic/synthetic.sarif" "$OUT/reports/synthetic.sarif"
cp "$OUT/synthetic/synthetic.junit.xml" "$OUT/reports/synthetic.junit"
cp "$OUT/synthetic/synthetic.json" "$OUT/reports/synthetic.json"
cp "$OUT/synthetic/synthetic.github.txt" "$OUT/reports/synthetic.github"
RUNS+=("synthetic")

# Negative control: a copy of the synthetic log broken the two ways validators must catch.
"$PY" - "$OUT/reports/synthetic.sarif" "$OUT/synthetic" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
res = doc["runs"][0]["results"]
res[0]["level"] = "warn"                      # not a SARIF level: the schema must reject it
json.dump(doc, open(sys.argv[2] + "/bad-schema.sarif", "w"), indent=1)
doc = json.load(open(sys.argv[1]))
loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
del loc["region"]                             # GitHub cannot place it: GH1003 is an error
loc["artifactLocation"] = {"uri": "file:///abs/path.json"}
json.dump(doc, open(sys.argv[2] + "/bad-github.sarif", "w"), indent=1)
EOF

schema_check() { # file -> prints errors, exit 1 on any
  "$PY" - "$SCHEMA" "$1" <<'EOF'
import json, sys
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
for e in errors[:20]:
    print(f"  schema: {e.json_path}: {e.message[:200]}")
print(f"  {cls.__name__}: {len(errors)} error(s) in {sys.argv[2]}")
sys.exit(1 if errors else 0)
EOF
}

multitool_check() { # file -> prints errors/warnings, exit 1 on any
  local log="$OUT/synthetic/$(basename "$1").validation.sarif"
  "$MT" validate "$1" --output "$log" --log ForceOverwrite --rule-kind "Gh;Sarif" \
    --config "$ROOT/testdata/report/sarif-multitool.config.xml" --level "Error;Warning;Note" \
    >"$log.txt" 2>&1 || { cat "$log.txt"; return 1; }
  "$PY" - "$log" <<'EOF'
import json, sys, collections
run = json.load(open(sys.argv[1]))["runs"][0]
bad, notes = [], collections.Counter()
for r in run.get("results", []):
    level = r.get("level", "warning")
    if level in ("error", "warning"):
        args = r.get("message", {}).get("arguments", [])
        bad.append(f"  multitool {level} {r['ruleId']}: {args}")
    else:
        notes[r["ruleId"]] += 1
for inv in run.get("invocations", []):
    for n in inv.get("toolExecutionNotifications", []):
        if n.get("level", "warning") == "error":
            bad.append(f"  multitool execution error: {n.get('message', {}).get('text')}")
    if not inv.get("executionSuccessful", False):
        bad.append("  multitool: executionSuccessful is false")
if bad:
    print("\n".join(bad[:20]))
print(f"  Sarif.Multitool: {len(bad)} error/warning result(s); notes: {dict(notes)}")
sys.exit(1 if bad else 0)
EOF
}

say "SARIF: JSON schema and SARIF Multitool"
for r in "${RUNS[@]}"; do
  f="$OUT/reports/$r.sarif"
  [ -s "$f" ] || { fail "$r.sarif is missing or empty"; continue; }
  n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$f")
  if schema_check "$f"; then ok "$r.sarif ($n results) is valid against the SARIF 2.1.0 schema"; else fail "$r.sarif: schema errors"; fi
  if multitool_check "$f"; then ok "$r.sarif passes Sarif.Multitool validate (GitHub rules on)"; else fail "$r.sarif: multitool errors"; fi
done
if schema_check "$OUT/synthetic/bad-schema.sarif" >/dev/null; then
  fail "negative control: the schema accepted level \"warn\""
else
  ok "negative control: the schema rejects level \"warn\""
fi
if multitool_check "$OUT/synthetic/bad-github.sarif" >/dev/null; then
  fail "negative control: the multitool accepted a result without region and an absolute URI"
else
  ok "negative control: the multitool rejects a result without region / with an absolute URI"
fi

say "JUnit: junitparser and xml.etree"
for r in "${RUNS[@]}"; do
  if "$PY" - "$OUT/reports/$r.junit" "$OUT/reports/$r.json" <<'EOF'; then ok "$r.junit parses; one test case per rule x file; failures match"; else fail "$r.junit"; fi
import json, sys, xml.etree.ElementTree as ET
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
ET.parse(sys.argv[1])
report = json.load(open(sys.argv[2]))
diags = report["diagnostics"]
cases = [(s.name, c) for s in xml for c in s]
# The JSON run used --fail-on never, so JUnit has no <failure>; pairs come from the JSON report.
pairs = {(d["file"], d["rule"]) for d in diags}
failures = sum(1 for _, c in cases if any(isinstance(x, Failure) for x in c.result))
if diags:
    got = {(c.classname, c.name.split(" ")[0]) for _, c in cases}
    assert got == pairs, (got ^ pairs)
    assert len(cases) == len(pairs), (len(cases), len(pairs))
    for _, c in cases:
        assert c.classname and c.name.startswith("AGW"), c.name
else:
    assert len(cases) == 1 and cases[0][1].name.startswith("no findings"), cases
expected_failures = 0 if "synthetic" not in sys.argv[1] else len(
    {(d["file"], d["rule"]) for d in diags if d["severity"] in ("error", "warning")})
assert failures == expected_failures, (failures, expected_failures)
print(f"  {sys.argv[1]}: {len(cases)} test case(s), {failures} failure(s)")
EOF
done

say "GitHub workflow commands"
for r in "${RUNS[@]}"; do
  if "$PY" - "$OUT/reports/$r.github" "$OUT/reports/$r.json" <<'EOF'; then ok "$r.github: one well-formed command per finding"; else fail "$r.github"; fi
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\n")
assert lines[-1] == "", "output must end with a newline"
lines = lines[:-1]
diags = json.load(open(sys.argv[2]))["diagnostics"]
assert len(lines) == len(diags), (len(lines), len(diags))
pat = re.compile(r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=(AGW\d{3} [a-z0-9-]+)::(.*)$")
for line, d in zip(lines, diags):
    m = pat.match(line)
    assert m, line
    assert "\r" not in line and "\x1b" not in line, line
    unesc = lambda s: s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    assert unesc(m.group(2)) == d["file"], (m.group(2), d["file"])
    assert int(m.group(3)) == d["line"] and int(m.group(4)) == d["column"], line
    assert unesc(m.group(8)).startswith(d["message"].split("\x1b")[0]), line
print(f"  {sys.argv[1]}: {len(lines)} command(s)")
EOF
done

say "pre-commit: the hook refuses a bad template and accepts the fix"
precommit_check() {
  local work="$OUT/precommit-work"
  mkdir -p "$work"
  # The hook repository: a snapshot of this checkout (tracked and untracked, not ignored files),
  # committed, so uncommitted changes are tested too.
  local hookrepo="$work/hook-repo"
  mkdir -p "$hookrepo"
  git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$hookrepo"
  local g=(git -c user.name=agwlint-ci -c user.email=ci@agwlint.invalid -c commit.gpgsign=false)
  (cd "$hookrepo" && git init -q && git add -A && "${g[@]}" commit -q -m snapshot)
  local rev
  rev=$(cd "$hookrepo" && git rev-parse HEAD)

  local repo="$work/project"
  mkdir -p "$repo/infra" "$repo/network"
  cd "$repo"
  git init -q
  cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $hookrepo
    rev: $rev
    hooks:
      - id: agwlint
        args: [--fail-on, error]
YAML
  "${g[@]}" add .pre-commit-config.yaml
  "${g[@]}" commit -q -m "pre-commit config" --no-verify
  PATH="$VENV/bin:$PATH" pre-commit install >/dev/null
  cp "$ROOT/testdata/report/precommit/v1-gateway.json" infra/azuredeploy.json
  cp "$ROOT/testdata/report/invalid-utf8.json" infra/broken.json
  printf 'variable "location" {\n  type    = string\n  default = "westeurope"\n}\n' >network/variables.tf
  printf 'location = "northeurope"\n' >network/terraform.tfvars
  "${g[@]}" add -A
  local rc=0
  # CARGO_TARGET_DIR keeps the hook's `cargo install` build between runs; opt-level 0 makes
  # that build quicker and changes nothing the hook does.
  PATH="$VENV/bin:$PATH" PRE_COMMIT_HOME="$OUT/pre-commit-home" \
    CARGO_TARGET_DIR="$OUT/hook-target" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
    "${g[@]}" commit -m "bad templates" >"$work/bad.log" 2>&1 || rc=$?
  cat "$work/bad.log"
  if [ "$rc" -eq 0 ]; then
    fail "pre-commit accepted a commit with a v1 gateway and a broken template"
  else
    local missing=""
    for rule in ${AGWLINT_CI_PRECOMMIT_RULES:-AGW001 AGW000}; do
      grep -q "$rule" "$work/bad.log" || missing="$missing $rule"
    done
    if [ -z "$missing" ] && grep -q "agwlint" "$work/bad.log" &&
      ! git rev-parse -q --verify HEAD~1 >/dev/null; then
      ok "pre-commit (language: rust) refused the commit and printed ${AGWLINT_CI_PRECOMMIT_RULES:-AGW001 AGW000}"
    else
      fail "pre-commit refused the commit, but the output lacks:${missing:- (agwlint hook output)}"
    fi
  fi
  cp "$ROOT/testdata/report/precommit/v2-gateway.json" infra/azuredeploy.json
  printf '{\n  "note": "not a template any more"\n}\n' >infra/broken.json
  "${g[@]}" add -A
  rc=0
  PATH="$VENV/bin:$PATH" PRE_COMMIT_HOME="$OUT/pre-commit-home" \
    CARGO_TARGET_DIR="$OUT/hook-target" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
    "${g[@]}" commit -m "fixed templates" >"$work/good.log" 2>&1 || rc=$?
  cat "$work/good.log"
  if [ "$rc" -eq 0 ] && grep -q "agwlint.*Passed" "$work/good.log"; then
    ok "pre-commit ran agwlint and accepted the fixed commit"
  else
    fail "pre-commit refused the fixed commit (rc=$rc)"
  fi
  cd "$ROOT"
}
precommit_check

say "pre-commit: a child module staged alone is linted through the root module that calls it"
precommit_partial_check() {
  local work="$OUT/precommit-work"
  local g=(git -c user.name=agwlint-ci -c user.email=ci@agwlint.invalid -c commit.gpgsign=false)
  local rev
  rev=$(cd "$work/hook-repo" && git rev-parse HEAD)
  local repo="$work/partial"
  mkdir -p "$repo/modules/network"
  cd "$repo"
  git init -q
  cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $work/hook-repo
    rev: $rev
    hooks:
      - id: agwlint
YAML
  cp "$ROOT/testdata/partial/tf/main.tf" main.tf
  "${g[@]}" add .pre-commit-config.yaml main.tf
  "${g[@]}" commit -q -m "root module" --no-verify
  PATH="$VENV/bin:$PATH" pre-commit install >/dev/null
  cp "$ROOT/testdata/partial/tf/modules/network/main.tf" modules/network/main.tf
  "${g[@]}" add modules/network/main.tf
  local rc=0
  PATH="$VENV/bin:$PATH" PRE_COMMIT_HOME="$OUT/pre-commit-home" \
    CARGO_TARGET_DIR="$OUT/hook-target" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
    "${g[@]}" commit -m "network module" >"$work/partial.log" 2>&1 || rc=$?
  cat "$work/partial.log"
  if [ "$rc" -ne 0 ] && grep -q "AGW027" "$work/partial.log" &&
    grep -q "modules/network/main.tf" "$work/partial.log" &&
    ! git rev-parse -q --verify HEAD~1 >/dev/null; then
    ok "pre-commit refused the commit of a child module alone with AGW027 (through its caller)"
  else
    fail "pre-commit with only the child module staged: rc=$rc, AGW027 expected (see $work/partial.log)"
  fi
  cd "$ROOT"
}
precommit_partial_check

printf '\nci-integrations: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
