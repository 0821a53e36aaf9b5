#!/usr/bin/env bash
# scripts/test.sh - the whole test suite: the README's test command, and
# what .ci/run calls.
#
#   bash scripts/test.sh [--fast]
#
# Stages (each builds into its own build-* folder):
#   1. Release build with gcc, all tests (fuzz corpora replayed too).
#   2. The decoder tests again with each CPU feature turned off in turn
#      (H278_DISABLE_CPU=avx512, then avx2, then bmi2), so every dispatch
#      path runs.
#   3. ASan + UBSan build (clang), all tests (large-file passes trimmed).
#   4. TSAN build, the multi-threaded tests (the shared-memory ring).
#   5. libFuzzer: each target fuzzed for a short bounded time.
#   6. Windows: mingw-w64 cross build, the C tests and the CLI under wine.
# --fast runs stage 1 only. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/corpora.sh
jobs=$(nproc 2>/dev/null || echo 2)
fast=0
for a in "$@"; do
  case "$a" in
    --fast) fast=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done

bash scripts/deps.sh test

stage() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

configure_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH278_CORPORA="$H278_CORPORA" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

stage "1/6 release build (gcc), all tests"
configure_build build-test
ctest --test-dir build-test -j "$jobs" --output-on-failure
[ "$fast" = 1 ] && exit 0

stage "2/6 decoder tests with CPU features turned off"
for off in avx512 avx2 bmi2; do
  echo "-- H278_DISABLE_CPU=$off"
  H278_DISABLE_CPU=$off ctest --test-dir build-test -j "$jobs" --output-on-failure -L decoders
done

stage "3/6 ASan + UBSan build (clang), all tests"
CC=clang CXX=clang++ configure_build build-asan -DH278_SANITIZE=address,undefined
H278_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -j "$jobs" --output-on-failure

stage "4/6 TSAN build, multi-threaded tests"
CC=clang CXX=clang++ configure_build build-tsan -DH278_SANITIZE=thread -DH278_BENCH=OFF
ctest --test-dir build-tsan -j "$jobs" --output-on-failure -L threads

stage "5/6 libFuzzer, bounded runs"
bash scripts/fuzz.sh 20

stage "6/6 Windows cross build, tests under wine"
bash scripts/test-windows.sh

stage "all stages passed"
