#!/usr/bin/env bash
# scripts/test-windows.sh - cross-builds the decoders, the CLI and the C tests
# for Windows with mingw-w64 and runs the tests under wine (ctest uses wine
# as CMAKE_CROSSCOMPILING_EMULATOR). The benchmark harness stays Linux-only.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/corpora.sh
bash scripts/deps.sh test
# wine's own errors stay on (an exe that dies before main says why); its
# "not implemented" notes and the no-display complaints are off.
export WINEDEBUG=fixme-all,-winediag,-systray WINEPREFIX=${WINEPREFIX:-$PWD/build-mingw/wineprefix}
cmake -S . -B build-mingw -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
  -DCMAKE_BUILD_TYPE=Release -DH278_BENCH=OFF -DH278_CORPORA="$H278_CORPORA" >/dev/null
cmake --build build-mingw -j "$(nproc)"
# Set the prefix up first (a few seconds the first time) and wait until
# wine has finished writing it; then keep one wineserver up for every test.
# Tests started in parallel while a fresh prefix is still being written, or
# while the server is shutting down, can fail before main.
tmp=$(mktemp -d)
trap '/usr/lib/wine/wineserver -k 2>/dev/null; rm -rf "$tmp"' EXIT
/usr/lib/wine/wine64 wineboot --init >"$tmp/wineboot.log" 2>&1 || { cat "$tmp/wineboot.log"; exit 1; }
/usr/lib/wine/wineserver -w
/usr/lib/wine/wineserver -p || true # 2: one is already up for this prefix
/usr/lib/wine/wine64 build-mingw/cli/h278.exe --version
H278_TEST_QUICK=1 ctest --test-dir build-mingw -j "$(nproc)" --output-on-failure
# The Windows CLI end to end: compress, decompress with every decoder, compare.
src=$H278_CORPORA/canterbury/alice29.txt
cp "$src" "$tmp/in.txt"
exe=build-mingw/cli/h278.exe
/usr/lib/wine/wine64 $exe compress "$tmp/in.txt" -o "$tmp/in.h278" -K 32 --interleaved
/usr/lib/wine/wine64 $exe compress "$tmp/in.txt" -o "$tmp/pivot.h278" --layout pivot
checked=0
# The pivot decoders read the pivot layout, the others the K=32 one.
for d in $(/usr/lib/wine/wine64 $exe decompress --list-decoders | awk '{print $1}' | tr -d '\r'); do
  case "$d" in pivot*) file=pivot.h278 ;; *) file=in.h278 ;; esac
  /usr/lib/wine/wine64 $exe decompress "$tmp/$file" -o "$tmp/out.$d" --decoder "$d"
  cmp "$tmp/in.txt" "$tmp/out.$d"
  checked=$((checked + 1))
done
if /usr/lib/wine/wine64 $exe decompress "$tmp/in.h278" -o "$tmp/out.tree" 2>/dev/null; then
  echo "test-windows.sh: h278.exe overwrote an existing file without -f" >&2
  exit 1
fi
echo "windows CLI: $((checked + 1)) passed, 0 failed"
