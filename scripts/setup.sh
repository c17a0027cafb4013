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
[ "${1:-}" = "--check" ] && check_only=1

# command on PATH -> Debian package that provides it. Each is used by a test suite:
#   cmake/ninja/g++: the packer's `hello` fixture engine is a real CMake build;
#   aarch64 and mingw-w64 cross compilers: real ELF (aarch64) and PE (Windows) fixtures;
#   qemu-user, wine: the cross-built fixtures are run, not only read;
#   pigz: the packer's default compressor (tests compare it with Node's zlib path);
#   readelf/objdump (binutils): independent readers the binary parsers are compared with;
#   bsdtar (libarchive-tools), python3 (tarfile): two of the tar readers in the verifier's
#   differential suite, beside GNU tar and node-tar; git: source revisions; curl: the benchmarks.
tools=(
  "cmake cmake" "ninja ninja-build" "g++ g++" "readelf binutils" "objdump binutils"
  "aarch64-linux-gnu-g++ g++-aarch64-linux-gnu" "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
  "x86_64-w64-mingw32-g++-posix mingw-w64"
  "qemu-aarch64 qemu-user" "wine wine" "pigz pigz" "bsdtar libarchive-tools" "python3 python3"
  "git git" "curl curl" "xz xz-utils"
)
missing_tools=()
missing_packages=()
for pair in "${tools[@]}"; do
  read -r tool package <<<"$pair"
  if ! command -v "$tool" >/dev/null 2>&1; then
    missing_tools+=("$tool")
    [[ " ${missing_packages[*]-} " == *" $package "* ]] || missing_packages+=("$package")
  fi
done

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none)); install it from https://nodejs.org or your package manager, then run: bash scripts/setup.sh" >&2
  exit 1
fi

if [ ${#missing_packages[@]} -gt 0 ]; then
  if [ "$check_only" = 1 ]; then
    echo "error: missing tools: ${missing_tools[*]}; run: bash scripts/setup.sh" >&2
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
    echo "  Elsewhere, install the equivalents from your package manager (macOS: brew install cmake ninja pigz libarchive qemu mingw-w64; Windows: use WSL2 with Debian), then run: bash scripts/setup.sh" >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing_packages[*]}"
  $sudo apt-get update -qq
  # With recommends: that is how wine and the cross compilers were installed when the suite was verified.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

# The verifier's differential suite lists archives with Python's tarfile and its `data` extraction
# filter (Python 3.11.4+; Debian 12's own python3 is 3.11.2 and lacks it).
if ! python3 -c 'import tarfile; tarfile.data_filter' 2>/dev/null; then
  echo "error: python3 ($(python3 --version 2>&1)) has no tarfile.data_filter; the verifier's differential tests need Python 3.11.4 or newer first on PATH (e.g. pyenv install 3.11), then run: bash scripts/setup.sh" >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  if [ "$check_only" = 1 ]; then echo "error: pnpm is missing; run: bash scripts/setup.sh" >&2; exit 1; fi
  echo "installing pnpm 10 with npm"
  npm install -g pnpm@10 >/dev/null
fi
[ "$check_only" = 1 ] && { echo "ready: every tool the tests use is installed"; exit 0; }

if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
echo "ready: run pnpm test"
