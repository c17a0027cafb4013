#!/usr/bin/env bash
# One set-up command for a fresh machine: the Debian packages the test suites build and inspect real
# binaries with, pnpm, and the workspace's dependencies. `.ci/run` runs this, then `pnpm test`, so
# the README and CI cannot drift. Where it cannot install (no root or sudo, not Debian/Ubuntu), it
# prints exactly what to install and exits 1 before any test runs.
#
#   bash scripts/setup.sh            # install what is missing, then `pnpm install`
#   bash scripts/setup.sh --check    # install nothing: list what is missing, exit 1 if anything is
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) echo "usage: bash scripts/setup.sh [--check]" >&2; exit 2 ;;
esac

# scripts/test-tools.txt: command, Debian package, suites. The suites' vitest globalSetup
# (scripts/test-tools.ts) reads the same table, so what is installed here is what the tests check.
missing_tools=()
missing_packages=()
find_missing() {
  missing_tools=()
  missing_packages=()
  local tool package _suites
  while read -r tool package _suites; do
    [[ -z "$tool" || "$tool" == \#* ]] && continue
    if ! command -v "$tool" >/dev/null 2>&1; then
      missing_tools+=("$tool")
      [[ " ${missing_packages[*]-} " == *" $package "* ]] || missing_packages+=("$package")
    fi
  done <scripts/test-tools.txt
}
find_missing

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none)); install it from https://nodejs.org or your package manager, then run: bash scripts/setup.sh" >&2
  exit 1
fi

if [ ${#missing_packages[@]} -gt 0 ]; then
  if [ "$check_only" = 1 ]; then
    echo "error: missing tools: ${missing_tools[*]} (Debian packages: ${missing_packages[*]}); run: bash scripts/setup.sh" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = none ]; then
    why="this is not a Debian/Ubuntu machine"
    command -v apt-get >/dev/null 2>&1 && why="installing needs root or password-less sudo"
    echo "error: missing tools: ${missing_tools[*]} ($why)." >&2
    echo "  On Debian/Ubuntu, as root: apt-get install ${missing_packages[*]}" >&2
    echo "  Elsewhere, install the equivalents from your package manager (macOS: brew install cmake ninja pigz qemu mingw-w64 and the wine-stable cask; Windows: use WSL2 with Debian), then run: bash scripts/setup.sh" >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing_packages[*]}"
  $sudo apt-get update -qq
  # With recommends: that is how wine and the cross compilers were installed when the suite was verified.
  # `env`: sudo resets the environment, so DEBIAN_FRONTEND must be set inside the command it runs.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null
  find_missing
  if [ ${#missing_tools[@]} -gt 0 ]; then
    echo "error: still missing after installing: ${missing_tools[*]} (packages: ${missing_packages[*]}); this distribution names them differently: install them, then run: bash scripts/setup.sh" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1; then
  if [ "$check_only" = 1 ]; then echo "error: pnpm is missing; run: bash scripts/setup.sh" >&2; exit 1; fi
  npm_prefix=$(npm prefix -g 2>/dev/null || echo /nonexistent)
  if [ ! -w "$npm_prefix/lib" ] && [ ! -w "$npm_prefix" ]; then
    echo "error: pnpm is missing, and npm's global folder $npm_prefix is not writable by $(id -un); as root run: npm install -g pnpm@10 (or: corepack enable pnpm), then run: bash scripts/setup.sh" >&2
    exit 1
  fi
  echo "installing pnpm 10 with npm"
  npm install -g pnpm@10 >/dev/null
fi
# The Node.js lines besides the system's that CI tests on (.ci/run), from the npm registry into
# ~/.cache/baiengine/node/<version>; the system's node stays as it is.
for line in $(cat scripts/node-lines.txt); do
  if [ "$check_only" = 1 ]; then
    bash scripts/node-line.sh "$line" --check >/dev/null || exit 1
  else
    bash scripts/node-line.sh "$line" >/dev/null
  fi
done

[ "$check_only" = 1 ] && { echo "ready: every tool the tests use is installed"; exit 0; }

if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
echo "ready: run pnpm test"
