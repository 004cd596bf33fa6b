#!/usr/bin/env bash
# Benchmarks agwlint (see BENCHMARKS.md). Prints a Markdown report on stdout.
#
#   scripts/bench.sh                 # single file/module, corpus, generated tree, parse-only ratio
#   BENCH_BIG=1 scripts/bench.sh     # also a 50 MB template and a 100,000-resource main.tf
#   BENCH_SCALING=1 scripts/bench.sh # also a scaling table (500 to 8,000 files, paired runs)
#   BENCH_CHECKOV=1 scripts/bench.sh # also checkov side by side (installed from PyPI into
#                                    # target/bench-venv on first use; runs offline)
#
# Env: AGWLINT_CORPUS (default ../shared/corpus), BENCH_TEMPLATES (5000), BENCH_MODULES (1000),
#      BENCH_RUNS (30, for the single-input timings), BENCH_PAIRS (3 paired agwlint/parse-only
#      runs per tree), BENCH_SCALING_SIZES ("500 1000 2000 4000 8000"), BENCH_CHECKOV_TEMPLATES (200) and
#      BENCH_CHECKOV_MODULES (40) for the slice of the generated tree checkov scans,
#      BENCH_CHECKOV_TIMEOUT (900 seconds per checkov run; it is killed after that).
#
# agwlint exits 1 when it finds something (the generated inputs are full of findings); every
# measurement ignores the exit status and reports wall time, CPU time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CORPUS=${AGWLINT_CORPUS:-$(cd .. && pwd)/shared/corpus}
if [ -z "${AGWLINT_CORPUS:-}" ] && [ ! -d "$CORPUS" ] && [ -d "$ROOT/../../shared/corpus" ]; then
  CORPUS=$(cd "$ROOT/../../shared/corpus" && pwd) # a git worktree sits one level deeper
fi
TEMPLATES=${BENCH_TEMPLATES:-5000}
MODULES=${BENCH_MODULES:-1000}
RUNS=${BENCH_RUNS:-30}
TREE="$ROOT/target/bench-tree-$TEMPLATES-$MODULES"
BIN="$ROOT/target/release/agwlint"

command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
command -v bc >/dev/null || { echo "bench: bc is required" >&2; exit 2; }
cargo build --release --quiet --bin agwlint --example parse_only
PARSE_ONLY="$ROOT/target/release/examples/parse_only"

# measure CMD...: prints "wall_s cpu_s max_rss_kb status" of one run (output discarded).
# max RSS is the largest single process (GNU time); status 124 means killed by `timeout`.
measure() {
  local log; log=$(mktemp)
  local status=0
  /usr/bin/time -f '%e %U %S %M %x' -o "$log" "$@" >/dev/null 2>&1 || status=$?
  local wall user sys rss code
  read -r wall user sys rss code < <(tail -n 1 "$log")
  rm -f "$log"
  echo "$wall $(printf '%.2f' "$(echo "$user + $sys" | bc)") $rss ${code:-$status}"
}

mb() { echo $(( $1 / 1024 )); }
ratio() { if [ "$(echo "$2 > 0" | bc)" = 1 ]; then printf '%.2f' "$(echo "scale=3; $1 / $2" | bc)"; else echo "n/a"; fi; }

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
echo "# agwlint benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m))"
echo
echo "Load while measuring: \`$(uptime | sed 's/^ *//')\`"
echo
echo "## 1. One input, end to end (mean of $RUNS runs, process start included)"
echo
echo "| input | bytes | mean ms |"
echo "|---|---|---|"
echo "| ARM template tests/scenarios/base.json | $(wc -c <"$ONE_ARM") | $(mean_ms "$RUNS" "$BIN" lint --format json "$ONE_ARM") |"
echo "| Terraform module tests/scenarios/base_tf | $(cat "$ONE_TF"/*.tf | wc -c) | $(mean_ms "$RUNS" "$BIN" lint --format json "$ONE_TF") |"
echo

if [ -d "$CORPUS" ]; then
  read -r w c r _ <<<"$(measure "$BIN" lint --format json "$CORPUS")"
  echo "## 2. Shared corpus ($(du -sh --apparent-size "$CORPUS" | cut -f1), $(find "$CORPUS" -type f | wc -l) files)"
  echo
  echo "| tool | wall s | CPU s | max RSS MB |"
  echo "|---|---|---|---|"
  echo "| agwlint | $w | $c | $(mb "$r") |"
  echo
fi

if [ ! -d "$TREE" ]; then
  python3 scripts/gen_tree.py "$TREE" --templates "$TEMPLATES" --modules "$MODULES" --seed 42
fi
BYTES=$(find "$TREE" -type f \( -name '*.json' -o -name '*.tf' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$TREE" -type f \( -name '*.json' -o -name '*.tf' \) | wc -l)
# paired N TREE: N paired runs (agwlint, then parse-only, back to back, so both see the same
# load on a shared machine); prints the medians "aw ac ar pw pc pr wall_ratio cpu_ratio" with
# the ratios as the median of the per-pair ratios.
paired() {
  local n=$1 tree=$2 i
  local aws=() acs=() ars=() pws=() pcs=() prs=() wrs=() crs=()
  for i in $(seq "$n"); do
    read -r aw ac ar _ <<<"$(measure "$BIN" lint --format json "$tree")"
    read -r pw pc pr _ <<<"$(measure "$PARSE_ONLY" "$tree")"
    aws+=("$aw"); acs+=("$ac"); ars+=("$ar"); pws+=("$pw"); pcs+=("$pc"); prs+=("$pr")
    wrs+=("$(ratio "$aw" "$pw")"); crs+=("$(ratio "$ac" "$pc")")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo "$(med "${aws[@]}") $(med "${acs[@]}") $(med "${ars[@]}") $(med "${pws[@]}") $(med "${pcs[@]}") $(med "${prs[@]}") $(med "${wrs[@]}") $(med "${crs[@]}")"
}

PAIRS=${BENCH_PAIRS:-3}
read -r w c r pw pc pr wr cr <<<"$(paired "$PAIRS" "$TREE")"
echo "## 3. Generated tree ($TEMPLATES templates + $MODULES modules, seed 42, $((BYTES / 1000000)) MB, $FILES files)"
echo
echo "Median of $PAIRS paired runs (agwlint and parse-only back to back)."
echo
echo "| run | wall s | CPU s | MB/s (wall) | files/s (wall) | max RSS MB |"
echo "|---|---|---|---|---|---|"
echo "| agwlint lint | $w | $c | $(echo "scale=1; $BYTES / 1000000 / $w" | bc) | $(echo "scale=0; $FILES / $w" | bc) | $(mb "$r") |"
echo "| parse only (jsonc-parser + hcl-edit, parallel) | $pw | $pc | $(echo "scale=1; $BYTES / 1000000 / $pw" | bc) | $(echo "scale=0; $FILES / $pw" | bc) | $(mb "$pr") |"
echo
echo "Ratio agwlint / parse-only (median of the per-pair ratios): wall ${wr}×, CPU ${cr}×"
echo

if [ "${BENCH_SCALING:-0}" = "1" ]; then
  echo "## 3b. Scaling (\`gen_tree.py --templates 5N/6 --modules N/6 --seed 42\`, median of $PAIRS paired runs)"
  echo
  echo "| files | MB | agwlint wall s | CPU s | max RSS MB | ms CPU / file | parse-only wall s | CPU s | wall ratio | CPU ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for n in ${BENCH_SCALING_SIZES:-500 1000 2000 4000 8000}; do
    t="$ROOT/target/bench-scale-$n"
    [ -d "$t" ] || python3 scripts/gen_tree.py "$t" --templates $((n * 5 / 6)) --modules $((n / 6)) --seed 42 >/dev/null
    nb=$(find "$t" -type f \( -name '*.json' -o -name '*.tf' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
    nf=$(find "$t" -type f \( -name '*.json' -o -name '*.tf' \) | wc -l)
    read -r w c r pw pc pr wr cr <<<"$(paired "$PAIRS" "$t")"
    echo "| $nf | $((nb / 1000000)) | $w | $c | $(mb "$r") | $(echo "scale=2; $c * 1000 / $nf" | bc) | $pw | $pc | $wr | $cr |"
  done
  echo
fi

if [ "${BENCH_BIG:-0}" = "1" ]; then
  BIG="$ROOT/target/bench-big"
  [ -f "$BIG/big.json" ] || python3 scripts/gen_tree.py "$BIG" --big-template 50 --big-tf 100000 --seed 42 >/dev/null
  echo "## 4. Large single inputs"
  echo
  echo "| input | MB | wall s | CPU s | max RSS MB | RSS / input |"
  echo "|---|---|---|---|---|---|"
  for target in "$BIG/big.json" "$BIG/tf"; do
    bytes=$(find "$target" -type f \( -name '*.json' -o -name '*.tf' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
    read -r w c r _ <<<"$(measure "$BIN" lint --format json "$target")"
    echo "| ${target#"$ROOT"/} | $((bytes / 1000000)) | $w | $c | $(mb "$r") | $(echo "scale=1; $r * 1024 / $bytes" | bc)× |"
  done
  echo
fi

if [ "${BENCH_CHECKOV:-0}" = "1" ]; then
  VENV="$ROOT/target/bench-venv"
  if [ ! -x "$VENV/bin/checkov" ]; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet checkov >&2
  fi
  # Offline: no platform mapping download, no package-update check, no SCA, no module
  # downloads; requests that still happen fail fast instead of retrying.
  export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
    REQUEST_MAX_TRIES=1 CHECKOV_REQUEST_RETRIES=0 SLEEP_BETWEEN_REQUEST_TRIES=0 \
    CHECKOV_REQUEST_CONNECT_TIMEOUT=2 CHECKOV_REQUEST_READ_TIMEOUT=2
  CK_T=${BENCH_CHECKOV_TEMPLATES:-200}
  CK_M=${BENCH_CHECKOV_MODULES:-40}
  CK_TIMEOUT=${BENCH_CHECKOV_TIMEOUT:-900}
  SLICE="$ROOT/target/bench-tree-$CK_T-$CK_M"
  [ -d "$SLICE" ] || python3 scripts/gen_tree.py "$SLICE" --templates "$CK_T" --modules "$CK_M" --seed 42
  echo "## 5. Side by side with checkov $("$VENV/bin/checkov" --version 2>/dev/null)"
  echo
  echo "checkov: \`checkov -d DIR --framework F --quiet --compact -o json --skip-download --download-external-modules false\`"
  echo "with \`BC_SKIP_MAPPING=TRUE\` and the offline variables of scripts/bench.sh; killed after ${CK_TIMEOUT}s."
  echo "Each framework runs separately: checkov 3.x aborts the whole run (exit 2) when its ARM graph"
  echo "builder raises on a template, which would hide the Terraform timing."
  echo
  echo "| work | agwlint wall s | agwlint CPU s | agwlint MB | checkov wall s | checkov CPU s | checkov MB | checkov exit | checkov / agwlint wall |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for spec in "corpus ARM:$CORPUS/arm:arm" "corpus Terraform:$CORPUS/terraform:terraform" \
    "tree slice ARM ($CK_T templates):$SLICE/arm:arm" "tree slice Terraform ($CK_M modules):$SLICE/tf:terraform"; do
    IFS=: read -r label dir fw <<<"$spec"
    [ -d "$dir" ] || continue
    read -r aw ac ar _ <<<"$(measure "$BIN" lint --format json "$dir")"
    read -r cw cc cr cs <<<"$(measure timeout -k 10 "$CK_TIMEOUT" "$VENV/bin/checkov" -d "$dir" --framework "$fw" \
      --quiet --compact -o json --skip-download --download-external-modules false)"
    [ "$cs" = "124" ] && cs="124 (timeout)"
    echo "| $label | $aw | $ac | $(mb "$ar") | $cw | $cc | $(mb "$cr") | $cs | $(ratio "$cw" "$aw") |"
  done
  echo
fi
