#!/usr/bin/env bash
# Benchmarks agwlint (see BENCHMARKS.md). Prints a Markdown report on stdout.
#
#   scripts/bench.sh                 # single file/module, corpus, generated tree, parse-only ratio
#   BENCH_CHECKOV=1 scripts/bench.sh # also checkov side by side (installed from PyPI into target/bench-venv)
#
# Env: AGWLINT_CORPUS (default ../shared/corpus), BENCH_TEMPLATES (5000), BENCH_MODULES (1000),
#      BENCH_RUNS (30, for the single-input timings).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CORPUS=${AGWLINT_CORPUS:-$(cd .. && pwd)/shared/corpus}
TEMPLATES=${BENCH_TEMPLATES:-5000}
MODULES=${BENCH_MODULES:-1000}
RUNS=${BENCH_RUNS:-30}
TREE="$ROOT/target/bench-tree-$TEMPLATES-$MODULES"
BIN="$ROOT/target/release/agwlint"

command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin agwlint --example parse_only
PARSE_ONLY="$ROOT/target/release/examples/parse_only"

# measure CMD...: prints "wall_seconds max_rss_kb" of one run (output discarded).
measure() {
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$wall $rss"
}

# mean_ms N CMD...: mean wall milliseconds over N runs, process start included.
mean_ms() {
  local n=$1; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / 1000000 / $n" | bc
}

ONE_ARM="$ROOT/tests/scenarios/base.json"
ONE_TF="$ROOT/tests/scenarios/base_tf"
echo "# agwlint benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m))"
echo
echo "## 1. One input, end to end (mean of $RUNS runs, process start included)"
echo
echo "| input | mean ms |"
echo "|---|---|"
echo "| ARM template tests/scenarios/base.json | $(mean_ms "$RUNS" "$BIN" lint --format json "$ONE_ARM") |"
echo "| Terraform module tests/scenarios/base_tf | $(mean_ms "$RUNS" "$BIN" lint --format json "$ONE_TF") |"
echo

if [ -d "$CORPUS" ]; then
  read -r w r <<<"$(measure "$BIN" lint --format json "$CORPUS")"
  echo "## 2. Shared corpus ($(du -sh "$CORPUS" | cut -f1), $(find "$CORPUS" -type f | wc -l) files)"
  echo
  echo "| tool | wall s | max RSS MB |"
  echo "|---|---|---|"
  echo "| agwlint | $w | $((r / 1024)) |"
  echo
fi

if [ ! -d "$TREE" ]; then
  python3 scripts/gen_tree.py "$TREE" --templates "$TEMPLATES" --modules "$MODULES" --seed 42
fi
BYTES=$(find "$TREE" -type f \( -name '*.json' -o -name '*.tf' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$TREE" -type f \( -name '*.json' -o -name '*.tf' \) | wc -l)
read -r w r <<<"$(measure "$BIN" lint --format json "$TREE")"
read -r pw pr <<<"$(measure "$PARSE_ONLY" "$TREE")"
echo "## 3. Generated tree ($TEMPLATES templates + $MODULES modules, seed 42, $((BYTES / 1000000)) MB, $FILES files)"
echo
echo "| run | wall s | MB/s | files/s | max RSS MB |"
echo "|---|---|---|---|---|"
echo "| agwlint lint | $w | $(echo "scale=1; $BYTES / 1000000 / $w" | bc) | $(echo "scale=0; $FILES / $w" | bc) | $((r / 1024)) |"
echo "| parse only (jsonc-parser + hcl-edit) | $pw | $(echo "scale=1; $BYTES / 1000000 / $pw" | bc) | $(echo "scale=0; $FILES / $pw" | bc) | $((pr / 1024)) |"
echo
echo "Ratio agwlint / parse-only wall time: $(echo "scale=2; $w / $pw" | bc)"
echo

if [ "${BENCH_CHECKOV:-0}" = "1" ]; then
  VENV="$ROOT/target/bench-venv"
  if [ ! -x "$VENV/bin/checkov" ]; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet checkov >&2
  fi
  export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
  echo "## 4. Side by side with checkov $("$VENV/bin/checkov" --version 2>/dev/null)"
  echo
  echo "| work | agwlint wall s | agwlint MB | checkov wall s | checkov MB | checkov / agwlint time |"
  echo "|---|---|---|---|---|---|"
  for target in "$CORPUS" "$TREE"; do
    read -r aw ar <<<"$(measure "$BIN" lint --format json "$target")"
    read -r cw cr <<<"$(measure "$VENV/bin/checkov" -d "$target" --framework arm terraform --quiet --compact -o json --skip-download)"
    echo "| $(basename "$target") | $aw | $((ar / 1024)) | $cw | $((cr / 1024)) | $(echo "scale=1; $cw / $aw" | bc) |"
  done
  echo
fi
