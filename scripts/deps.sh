#!/usr/bin/env bash
# scripts/deps.sh - installs the Debian packages H278 needs, if missing.
#
#   bash scripts/deps.sh build   compilers, CMake, the libraries
#   bash scripts/deps.sh test    build + clang/libFuzzer, mingw-w64, wine, valgrind and
#                                google-benchmark's compare.py (with scipy)
#   bash scripts/deps.sh bench   build + hyperfine, gnuplot, valgrind and compare.py
#
# Only missing packages are installed, so a second run costs a few dpkg
# queries. Needs root (or sudo) only when something is missing.
set -euo pipefail

build_pkgs=(cmake ninja-build gcc g++ pkg-config python3 libxxhash-dev libzstd-dev
            libdeflate-dev zlib1g-dev libisal-dev libbenchmark-dev)
test_pkgs=(clang libclang-rt-dev wine64 gcc-mingw-w64-x86-64 valgrind libbenchmark-tools python3-scipy)
bench_pkgs=(hyperfine gnuplot-nox valgrind libbenchmark-tools python3-scipy)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
  all) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "deps.sh: unknown set '$1' (build, test, bench, all)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
