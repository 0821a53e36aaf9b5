#!/usr/bin/env bash
# test_install.sh - `cmake --install` into a temporary prefix gives what a
# user builds on: the library (static and shared), h278.h, h278.pc and the
# CMake package, the programs, the man page and the bash completion; a
# program outside the tree (tests/install/consumer.c) builds against it with
# pkg-config and with find_package and decodes a file to the right bytes.
#
#   bash tests/test_install.sh BUILD_DIR SOURCE_DIR CORPORA_DIR
set -u
build=$(realpath "$1")
src=$(realpath "$2")
data=$(realpath "$3")/canterbury/alice29.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
failed=0
fail() { echo "FAILED: $*"; failed=1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
libdir=$(dirname "$(find "$prefix" -name h278.pc -print -quit)")/..
for f in include/h278.h bin/h278 share/man/man1/h278.1 share/bash-completion/completions/h278; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
[ -e "$libdir/libh278.a" ] || fail "libh278.a not installed"
soname=$(find "$libdir" -name 'libh278.so.*' -print -quit)
[ -n "$soname" ] || fail "no shared libh278.so.N installed"
[ -e "$libdir/cmake/h278/h278Config.cmake" ] || fail "no CMake package"
head -1 "$prefix/share/man/man1/h278.1" | grep -q '^\.TH H278 1' || fail "h278.1 is not the man page"
for c in compress decompress verify info explain analyze serve feed; do  # every command has its entry
  grep -q "^\.B $c\$" "$prefix/share/man/man1/h278.1" || fail "the man page lacks $c"
done
bash -n "$prefix/share/bash-completion/completions/h278" || fail "the completion script is not valid bash"

"$prefix/bin/h278" compress "$data" -o "$work/alice29.txt.h278" || fail "the installed h278 cannot compress"

# pkg-config, as a Makefile would use it.
export PKG_CONFIG_PATH=$libdir/pkgconfig
if cc -o "$work/consumer-pc" "$src/tests/install/consumer.c" $(pkg-config --cflags --libs h278) 2>"$work/cc.log"; then
  LD_LIBRARY_PATH=$libdir "$work/consumer-pc" "$work/alice29.txt.h278" "$data" || fail "pkg-config build decodes wrong"
else
  cat "$work/cc.log"; fail "building with pkg-config"
fi
[ "$(pkg-config --modversion h278)" = "$(sed -n 's/^project(h278 VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] ||
  fail "h278.pc's version is not the project's"

# find_package, from a separate CMake project.
if cmake -S "$src/tests/install" -B "$work/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1 &&
   cmake --build "$work/consumer-build" >>"$work/cmake.log" 2>&1; then
  "$work/consumer-build/consumer" "$work/alice29.txt.h278" "$data" || fail "find_package build decodes wrong"
else
  cat "$work/cmake.log"; fail "building with find_package"
fi
[ "$failed" = 0 ] && echo "test_install: all checks passed"
exit "$failed"
