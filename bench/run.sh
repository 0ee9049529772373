#!/usr/bin/env bash
# Side-by-side benchmark: readyctl's full built-in audit against ripgrep
# searching the same tree for the same content patterns.
#
#   bash bench/run.sh            # 20,000 files / 200 MB (+ 5,000 ignored)
#   bash bench/run.sh --quick    # 2,000 files / 20 MB
#
# Environment: RUNS (timed runs per measurement, default 5), BENCH_DIR (where
# trees are generated, default target/bench), SEED (default 42),
# SKIP_VARIANTS=1 (only the base tree, no 2x tree / 2x checks), NO_BUILD=1
# (use the binaries already in target/release).
#
# Prints a table of wall-clock medians (warm cache), peak RSS, recall of the
# planted secrets, and the ratios the performance targets are stated in.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
FILES=20000
SIZE=200M
if [[ "${1:-}" == "--quick" ]]; then
    FILES=2000
    SIZE=20M
fi
RUNS=${RUNS:-5}
SEED=${SEED:-42}
BENCH_DIR=${BENCH_DIR:-$ROOT/target/bench}
mkdir -p "$BENCH_DIR"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rg; then
    echo "installing ripgrep (apt-get install -y ripgrep)" >&2
    apt-get install -y ripgrep >/dev/null || { apt-get update >/dev/null && apt-get install -y ripgrep >/dev/null; }
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (apt-get install -y time)" >&2
    apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

if [[ -z "${NO_BUILD:-}" ]]; then
    echo "building (release)" >&2
    cargo build --release --quiet --bin readyctl --example gen-repo
fi
READYCTL=$ROOT/target/release/readyctl
GEN=$ROOT/target/release/examples/gen-repo

# Median of the wall-clock seconds of RUNS runs of "$@" (after one warm-up).
median() {
    "$@" >/dev/null 2>&1 || true
    local times=()
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

# Peak resident set size in MiB of one run of a command (a program, not a
# shell function: GNU time executes it).
peak_rss() {
    /usr/bin/time -f '%M' -o "$BENCH_DIR/rss.txt" "$@" >"$BENCH_DIR/rss.out" 2>/dev/null || true
    tail -n 1 "$BENCH_DIR/rss.txt" | awk '{printf "%.1f\n", $1/1024}'
}
audit_rss() { peak_rss "$READYCTL" audit "$1" --format json --exit-zero --no-repo-checks -o "$BENCH_DIR/report.json" "${@:2}"; }
rg_rss() { peak_rss rg --hidden --no-require-git -n -U -f "$2" "$1"; }

audit() { "$READYCTL" audit "$1" --format json --exit-zero --no-repo-checks -o "$BENCH_DIR/report.json" "${@:2}"; }
# rg as a secret scanner would run it: every pattern, hidden files included,
# .gitignore honoured without a .git directory (as readyctl does), line
# numbers, output written (rg stops at the first match when it sees
# /dev/null, so the output goes to a file).
ripgrep() { rg --hidden --no-require-git -n -U -f "$2" "$1" >"$BENCH_DIR/rg.out"; }

gen() {
    local dir=$1 files=$2 size=$3
    if [[ ! -d "$dir" || ! -f "$dir.manifest.json" ]] || ! grep -q "\"files\": $((files + 5))," "$dir.manifest.json"; then
        echo "generating $dir ($files files, $size)" >&2
        "$GEN" "$dir" "$files" "$size" "$SEED"
    fi
}

TREE=$BENCH_DIR/tree-$FILES
gen "$TREE" "$FILES" "$SIZE"
PATTERNS=$BENCH_DIR/patterns.txt
"$READYCTL" checks patterns >"$PATTERNS"

# Doubled content checks: every built-in check with a content rule, again,
# under new ids (so the scanner has twice the patterns to run).
DOUBLED=$BENCH_DIR/doubled-checks
rm -rf "$DOUBLED" && mkdir -p "$DOUBLED"
for pack in "$ROOT"/checks/*.yaml; do
    if grep -q 'content_\(match\|absent\)' "$pack"; then
        sed -E 's/^- id: ([a-z0-9_-]+)\./- id: \1-copy./' "$pack" >"$DOUBLED/copy-$(basename "$pack")"
    fi
done
# The text export lists each distinct regex once, so for rg the copies are
# made distinct (a `(?:)` prefix matches the empty string: same matches).
DOUBLED_PATTERNS=$BENCH_DIR/patterns-doubled.txt
{ cat "$PATTERNS"; sed 's/^/(?:)/' "$PATTERNS"; } >"$DOUBLED_PATTERNS"

echo "timing ($RUNS runs each, median)" >&2
t_ready=$(median audit "$TREE")
t_rg=$(median ripgrep "$TREE" "$PATTERNS")
rss_ready=$(audit_rss "$TREE")
rss_rg=$(rg_rss "$TREE" "$PATTERNS")
audit "$TREE" >/dev/null 2>&1 || true
score=$(python3 "$ROOT/bench/score.py" "$TREE.manifest.json" "$BENCH_DIR/report.json" || true)
patterns=$(grep -c . "$PATTERNS")
doubled_patterns=$(grep -c . "$DOUBLED_PATTERNS")

ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "tree: $FILES files + $((FILES / 4)) ignored, $(du -sh --exclude=node_modules "$TREE" | cut -f1) ($TREE)"
echo "patterns: $patterns (doubled checks: $doubled_patterns)"
echo
printf '%-34s %10s %10s %8s\n' "measurement" "readyctl" "rg" "ratio"
printf '%-34s %10s %10s %8s\n' "full audit vs rg -f, median (s)" "$t_ready" "$t_rg" "$(ratio "$t_ready" "$t_rg")"
printf '%-34s %10s %10s\n' "peak RSS (MiB)" "$rss_ready" "$rss_rg"

if [[ -z "${SKIP_VARIANTS:-}" ]]; then
    TREE2=$BENCH_DIR/tree-$((FILES * 2))
    size2=$(( $(echo "$SIZE" | tr -d M) * 2 ))M
    gen "$TREE2" $((FILES * 2)) "$size2"
    t_ready2=$(median audit "$TREE2")
    t_rg2=$(median ripgrep "$TREE2" "$PATTERNS")
    rss_ready2=$(audit_rss "$TREE2")
    t_doubled=$(median audit "$TREE" --checks "$DOUBLED")
    t_rg_doubled=$(median ripgrep "$TREE" "$DOUBLED_PATTERNS")
    rss_doubled=$(audit_rss "$TREE" --checks "$DOUBLED")
    printf '%-34s %10s %10s %8s\n' "2x tree, median (s)" "$t_ready2" "$t_rg2" "$(ratio "$t_ready2" "$t_rg2")"
    printf '%-34s %10s %10s\n' "2x tree peak RSS (MiB)" "$rss_ready2" "-"
    printf '%-34s %10s %10s\n' "2x tree / 1x tree (target <= 2.2)" "$(ratio "$t_ready2" "$t_ready")" "$(ratio "$t_rg2" "$t_rg")"
    printf '%-34s %10s %10s %8s\n' "2x checks, median (s)" "$t_doubled" "$t_rg_doubled" "$(ratio "$t_doubled" "$t_rg_doubled")"
    printf '%-34s %10s %10s\n' "2x checks peak RSS (MiB)" "$rss_doubled" "-"
    printf '%-34s %10s %10s\n' "2x checks / 1x (target <= 1.2)" "$(ratio "$t_doubled" "$t_ready")" "$(ratio "$t_rg_doubled" "$t_rg")"
fi
echo
echo "recall: $score"
