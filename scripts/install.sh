#!/usr/bin/env bash
# Installs a released readyctl binary: downloads the archive for this machine
# and its checksum, verifies the checksum, and puts `readyctl` in DEST.
#
#   scripts/install.sh VERSION DEST
#
# READYCTL_DOWNLOAD_URL overrides where releases are fetched from (default:
# the GitHub releases of readyctl/readyctl); any URL curl reads works,
# file:// included, which is how the tests exercise this script.
# READYCTL_TARGET overrides the detected target triple.
set -euo pipefail

version="${1:?usage: install.sh VERSION DEST}"
dest="${2:?usage: install.sh VERSION DEST}"
base="${READYCTL_DOWNLOAD_URL:-https://github.com/readyctl/readyctl/releases/download}"

case "$version" in
  v*) tag="$version" ;;
  *) tag="v$version" ;;
esac

detect_target() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) echo "readyctl: no release for architecture $arch" >&2; return 1 ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) echo "x86_64-pc-windows-msvc" ;;
    *) echo "readyctl: no release for $os" >&2; return 1 ;;
  esac
}

target="${READYCTL_TARGET:-$(detect_target)}"
case "$target" in
  *windows*) archive="readyctl-$target.zip"; binary="readyctl.exe" ;;
  *) archive="readyctl-$target.tar.xz"; binary="readyctl" ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

curl --fail --silent --show-error --location --proto '=https,file' \
  --output "$work/$archive" "$base/$tag/$archive"
curl --fail --silent --show-error --location --proto '=https,file' \
  --output "$work/$archive.sha256" "$base/$tag/$archive.sha256"

# The checksum file holds "<sha256>  <name>" (or "*<name>"); compare the hash
# only, so a renamed download still verifies.
expected="$(awk '{ print $1; exit }' "$work/$archive.sha256")"
if command -v sha256sum > /dev/null 2>&1; then
  actual="$(sha256sum "$work/$archive" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "$work/$archive" | awk '{ print $1 }')"
fi
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  echo "readyctl: checksum mismatch for $archive (expected ${expected:-nothing}, got $actual)" >&2
  exit 1
fi

mkdir -p "$work/unpacked" "$dest"
case "$archive" in
  *.zip) unzip -q "$work/$archive" -d "$work/unpacked" ;;
  *) tar -xJf "$work/$archive" -C "$work/unpacked" ;;
esac
found="$(find "$work/unpacked" -type f -name "$binary" | head -n 1)"
if [ -z "$found" ]; then
  echo "readyctl: $archive holds no $binary" >&2
  exit 1
fi
install -m 0755 "$found" "$dest/$binary"
echo "installed readyctl $tag ($target) in $dest"
