#!/usr/bin/env bash
# Rebuilds ../shared/precision-repos from git mirrors of the repositories
# listed in README.md (the shared folder is reset between sessions).
# Usage: pack.sh MIRRORS [OUT]
#   MIRRORS holds OWNER+NAME/repo git directories (bare or not);
#   OUT defaults to the shared/precision-repos folder beside the checkout.
# Each archive is the listed commit's tree, no .git, under a folder
# OWNER+NAME. Mirrors may lack their largest blobs; those files are left out
# and counted.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirrors="${1:?usage: pack.sh MIRRORS [OUT]}"
out="${2:-$here/../../../../shared/precision-repos}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grep -E '^\| [A-Za-z0-9_.-]+\+[A-Za-z0-9_.-]+ \| .* \| [0-9a-f]{40} \|$' "$here/README.md" |
  while IFS='|' read -r _ name _ commit _; do
    name="$(echo "$name" | xargs)" commit="$(echo "$commit" | xargs)"
    git_dir="$mirrors/$name/repo"
    if [ ! -d "$git_dir" ]; then
      echo "missing mirror: $git_dir" >&2
      exit 1
    fi
    rm -rf "${work:?}/$name"
    missing=0
    while IFS=$'\t' read -r meta path; do
      read -r mode kind object <<<"$meta"
      [ "$kind" = blob ] || continue
      dest="$work/$name/$path"
      mkdir -p "$(dirname "$dest")"
      if [ "$mode" = 120000 ]; then
        ln -s "$(git -C "$git_dir" cat-file blob "$object")" "$dest"
      elif git -C "$git_dir" cat-file blob "$object" >"$dest" 2>/dev/null; then
        [ "$mode" = 100755 ] && chmod +x "$dest"
      else
        rm -f "$dest"
        missing=$((missing + 1))
      fi
    done < <(git -C "$git_dir" ls-tree -r "$commit")
    tar -C "$work" -cf - "$name" | zstd -q -T0 -19 -f -o "$out/$name.tar.zst"
    echo "$name $commit ($missing blobs absent)"
  done
